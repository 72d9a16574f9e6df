namespace OrleansVoucher.Tests.Storage;

/// <summary>
/// Expiring states: every way of writing a state records its expiry (or none), and
/// <see cref="IGrainStorage.DeleteExpiredAsync"/> deletes exactly the states expired before its time,
/// in batches, after which their keys are absent and start again at version 1.
/// </summary>
public abstract partial class GrainStorageContractTests
{
    /// <summary>The sweep's time in these tests; only these tests write expiries, all of them around it.</summary>
    private static readonly DateTimeOffset s_sweepTime = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset s_expired = s_sweepTime.AddHours(-1);

    [Fact]
    public async Task Expired_states_are_deleted_in_batches_and_all_others_kept()
    {
        var expired = Enumerable.Range(0, 5).Select(i => Key($"expired-{i}")).ToList();
        foreach (var key in expired)
        {
            await Storage.WriteAsync(new StateWrite(key, 0, Bytes("x"), s_expired));
        }

        var cleared = Key("cleared");
        await Storage.WriteAsync(new StateWrite(cleared, 0, Bytes("x")));
        await Storage.WriteAsync(new StateWrite(cleared, 1, null, s_expired));
        var live = Key("live");
        await Storage.WriteAsync(new StateWrite(live, 0, Bytes("x"), s_sweepTime.AddSeconds(1)));
        var dueNow = Key("due-now");
        await Storage.WriteAsync(new StateWrite(dueNow, 0, Bytes("x"), s_sweepTime));
        var forever = Key("forever");
        await Storage.WriteAsync(new StateWrite(forever, 0, Bytes("x")));
        var renewed = Key("renewed");
        await Storage.WriteAsync(new StateWrite(renewed, 0, Bytes("x"), s_expired));
        await Storage.WriteAsync(new StateWrite(renewed, 1, Bytes("y"), s_sweepTime.AddHours(1)));
        var madePermanent = Key("made-permanent");
        await Storage.WriteAsync(new StateWrite(madePermanent, 0, Bytes("x"), s_expired));
        await Storage.WriteAsync(new StateWrite(madePermanent, 1, Bytes("y")));

        var batches = new List<int>();
        int deleted;
        do
        {
            deleted = await Storage.DeleteExpiredAsync(s_sweepTime, 2, CancellationToken.None);
            batches.Add(deleted);
        }
        while (deleted > 0);

        Assert.Equal([2, 2, 2, 0], batches);
        foreach (var key in expired.Append(cleared))
        {
            Assert.Equal(StoredState.Absent, await Storage.ReadAsync(key, CancellationToken.None));
        }

        Assert.Equal(1, (await Storage.ReadAsync(live, CancellationToken.None)).Version);
        Assert.Equal(1, (await Storage.ReadAsync(dueNow, CancellationToken.None)).Version);
        Assert.Equal(1, (await Storage.ReadAsync(forever, CancellationToken.None)).Version);
        Assert.Equal(new StoredState(2, Bytes("y")), await Storage.ReadAsync(renewed, CancellationToken.None), StoredStateComparer.Instance);
        Assert.Equal(new StoredState(2, Bytes("y")), await Storage.ReadAsync(madePermanent, CancellationToken.None), StoredStateComparer.Instance);
    }

    [Fact]
    public async Task A_deleted_state_is_created_anew_and_a_writer_of_its_old_version_loses()
    {
        var key = Key("swept");
        await Storage.WriteAsync(new StateWrite(key, 0, Bytes("one"), s_expired));
        await Storage.WriteAsync(new StateWrite(key, 1, Bytes("two"), s_expired));
        Assert.Equal(1, await Storage.DeleteExpiredAsync(s_sweepTime, 10, CancellationToken.None));

        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(new StateWrite(key, 2, Bytes("stale"))));

        Assert.Equal(0, stale.StoredVersion);
        Assert.Equal(1, await Storage.WriteAsync(new StateWrite(key, 0, Bytes("new"))));
        Assert.Equal(new StoredState(1, Bytes("new")), await Storage.ReadAsync(key, CancellationToken.None), StoredStateComparer.Instance);
    }

    [Fact]
    public async Task Every_kind_of_write_records_the_expiry_it_carries()
    {
        var inserted = Key("inserted");
        await Storage.WriteAsync(new StateWrite(inserted, 0, Bytes("x"), s_expired));
        var updated = Key("updated");
        await Storage.WriteAsync(new StateWrite(updated, 0, Bytes("x")));
        await Storage.WriteAsync(new StateWrite(updated, 1, Bytes("y"), s_expired));
        var pairNew = Key("pair-new");
        var pairOld = Key("pair-old");
        await Storage.WriteAsync(new StateWrite(pairOld, 0, Bytes("x")));
        await Storage.CommitAsync(new WriteUnit([new StateWrite(pairNew, 0, Bytes("x"), s_expired), new StateWrite(pairOld, 1, Bytes("y"), s_expired)]), CancellationToken.None);
        var withEvent = Key("with-event");
        await Storage.CommitAsync(new WriteUnit([new StateWrite(withEvent, 0, Bytes("x"), s_expired)], [new StreamEventWrite(Stream, "with-event", Bytes("e"))]), CancellationToken.None);
        var bulk = Enumerable.Range(0, 3).Select(i => Key($"bulk-{i}")).ToList();
        await Storage.CommitAsync(new WriteUnit([.. bulk.Select(k => new StateWrite(k, 0, Bytes("x"), s_expired))]) { InsertsInBulk = true }, CancellationToken.None);
        var bulkKept = Key("bulk-kept");
        await Storage.CommitAsync(new WriteUnit([new StateWrite(bulkKept, 0, Bytes("x")), new StateWrite(Key("bulk-kept", "second"), 0, Bytes("x"))]) { InsertsInBulk = true }, CancellationToken.None);

        Assert.Equal(8, await Storage.DeleteExpiredAsync(s_sweepTime, 100, CancellationToken.None));

        foreach (var key in new[] { inserted, updated, pairNew, pairOld, withEvent }.Concat(bulk))
        {
            Assert.Equal(StoredState.Absent, await Storage.ReadAsync(key, CancellationToken.None));
        }

        Assert.Equal(1, (await Storage.ReadAsync(bulkKept, CancellationToken.None)).Version);
        Assert.Single(await Storage.ReadStreamAsync(Stream, 0, 10, CancellationToken.None));
    }
}
