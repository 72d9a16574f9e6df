namespace OrleansVoucher.Tests.Storage;

/// <summary>
/// The semantics every <see cref="IGrainStorage"/> shares with <see cref="MemoryGrainStorage"/>: version
/// checks, clears that keep their version, all-or-nothing units and their events, stream paging, and
/// the deletion of expired states.
/// Each test uses its own grain type and stream, so tests never see each other's data.
/// </summary>
public abstract partial class GrainStorageContractTests : StoreTestBase
{
    protected string Stream => "events-" + Scope;

    protected static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task An_absent_state_reads_as_version_zero_without_payload()
    {
        var state = await Storage.ReadAsync(Key("absent"), CancellationToken.None);

        Assert.Equal(0, state.Version);
        Assert.Null(state.Payload);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task Writes_advance_the_version_and_read_back()
    {
        var key = Key("a");

        Assert.Equal(1, await Storage.WriteAsync(new StateWrite(key, 0, Bytes("first"))));
        Assert.Equal(2, await Storage.WriteAsync(new StateWrite(key, 1, Bytes("second"))));

        var state = await Storage.ReadAsync(key, CancellationToken.None);
        Assert.Equal(2, state.Version);
        Assert.Equal(Bytes("second"), state.Payload);
        Assert.True(state.RecordExists);
    }

    [Fact]
    public async Task An_empty_payload_is_a_record_not_a_clear()
    {
        var key = Key("empty");

        await Storage.WriteAsync(new StateWrite(key, 0, []));

        var state = await Storage.ReadAsync(key, CancellationToken.None);
        Assert.Equal(1, state.Version);
        Assert.NotNull(state.Payload);
        Assert.Empty(state.Payload);
    }

    [Fact]
    public async Task Keys_differing_only_in_case_or_accents_are_distinct_states()
    {
        var keys = new[] { Key("Gutschein-é"), Key("gutschein-é"), Key("Gutschein-e\u0301"), Key("Gutschein-\ud83d\ude00") };

        foreach (var key in keys)
        {
            await Storage.WriteAsync(new StateWrite(key, 0, Bytes(key.GrainKey)));
        }

        foreach (var key in keys)
        {
            Assert.Equal(Bytes(key.GrainKey), (await Storage.ReadAsync(key, CancellationToken.None)).Payload);
        }
    }

    [Fact]
    public async Task A_stale_write_fails_and_leaves_the_state_alone()
    {
        var key = Key("stale");
        await Storage.WriteAsync(new StateWrite(key, 0, Bytes("one")));
        await Storage.WriteAsync(new StateWrite(key, 1, Bytes("two")));

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(new StateWrite(key, 1, Bytes("lost"))));

        Assert.Equal(key, conflict.Key);
        Assert.Equal(1, conflict.ExpectedVersion);
        Assert.Equal(2, conflict.StoredVersion);
        var state = await Storage.ReadAsync(key, CancellationToken.None);
        Assert.Equal(2, state.Version);
        Assert.Equal(Bytes("two"), state.Payload);
    }

    [Fact]
    public async Task Creating_an_existing_state_fails()
    {
        var key = Key("exists");
        await Storage.WriteAsync(new StateWrite(key, 0, Bytes("one")));

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(new StateWrite(key, 0, Bytes("again"))));

        Assert.Equal(1, conflict.StoredVersion);
    }

    [Fact]
    public async Task Expecting_a_version_of_an_absent_state_fails_without_creating_it()
    {
        var key = Key("never");

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(new StateWrite(key, 3, Bytes("x"))));

        Assert.Equal(0, conflict.StoredVersion);
        Assert.Equal(StoredState.Absent, await Storage.ReadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_clear_keeps_the_record_with_the_next_version()
    {
        var key = Key("cleared");
        await Storage.WriteAsync(new StateWrite(key, 0, Bytes("one")));

        Assert.Equal(2, await Storage.WriteAsync(new StateWrite(key, 1, null)));

        var state = await Storage.ReadAsync(key, CancellationToken.None);
        Assert.Equal(2, state.Version);
        Assert.Null(state.Payload);
        Assert.False(state.RecordExists);
        Assert.Equal(3, await Storage.WriteAsync(new StateWrite(key, 2, Bytes("three"))));
    }

    [Fact]
    public async Task A_stale_writer_cannot_resurrect_a_cleared_state()
    {
        var key = Key("resurrect");
        await Storage.WriteAsync(new StateWrite(key, 0, Bytes("one")));
        await Storage.WriteAsync(new StateWrite(key, 1, null));

        var fromScratch = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(new StateWrite(key, 0, Bytes("new"))));
        var fromBefore = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(new StateWrite(key, 1, Bytes("old"))));

        Assert.Equal(2, fromScratch.StoredVersion);
        Assert.Equal(2, fromBefore.StoredVersion);
        Assert.Equal(new StoredState(2, null), await Storage.ReadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_unit_writes_all_its_states_and_events()
    {
        var a = Key("unit-a");
        var b = Key("unit-b", "other");
        await Storage.WriteAsync(new StateWrite(b, 0, Bytes("b1")));
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);

        var versions = await Storage.CommitAsync(
            new WriteUnit([new StateWrite(a, 0, Bytes("a1")), new StateWrite(b, 1, Bytes("b2"))], [new StreamEventWrite(Stream, "unit", Bytes("e1")), new StreamEventWrite(Stream, "unit", Bytes("e2"))]),
            CancellationToken.None);

        Assert.Equal([1L, 2L], versions);
        Assert.Equal(new StoredState(1, Bytes("a1")).Payload, (await Storage.ReadAsync(a, CancellationToken.None)).Payload);
        Assert.Equal(2, (await Storage.ReadAsync(b, CancellationToken.None)).Version);
        var events = await Storage.ReadStreamAsync(Stream, 0, 10, CancellationToken.None);
        Assert.Equal(["e1", "e2"], events.Select(e => System.Text.Encoding.UTF8.GetString(e.Payload)));
        Assert.All(events, e => Assert.Equal("unit", e.Key));
        Assert.All(events, e => Assert.Equal(Stream, e.Stream));
        Assert.All(events, e => Assert.InRange(e.CommittedAt, before, DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.True(events[0].Sequence < events[1].Sequence);
    }

    [Fact]
    public async Task A_unit_with_one_stale_state_writes_nothing()
    {
        var a = Key("all-a");
        var b = Key("all-b");
        var c = Key("all-c");
        await Storage.WriteAsync(new StateWrite(a, 0, Bytes("a1")));
        await Storage.WriteAsync(new StateWrite(b, 0, Bytes("b1")));
        await Storage.WriteAsync(new StateWrite(b, 1, Bytes("b2")));

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.CommitAsync(
            new WriteUnit(
                [new StateWrite(a, 1, Bytes("a2")), new StateWrite(c, 0, Bytes("c1")), new StateWrite(b, 1, Bytes("b-lost"))],
                [new StreamEventWrite(Stream, "lost", Bytes("never"))]),
            CancellationToken.None));

        Assert.Equal(b, conflict.Key);
        Assert.Equal(2, conflict.StoredVersion);
        Assert.Equal(new StoredState(1, Bytes("a1")).Version, (await Storage.ReadAsync(a, CancellationToken.None)).Version);
        Assert.Equal(Bytes("a1"), (await Storage.ReadAsync(a, CancellationToken.None)).Payload);
        Assert.Equal(StoredState.Absent, await Storage.ReadAsync(c, CancellationToken.None));
        Assert.Empty(await Storage.ReadStreamAsync(Stream, 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Events_of_a_failed_unit_are_not_appended()
    {
        var key = Key("evented");
        await Storage.CommitAsync(new WriteUnit([new StateWrite(key, 0, Bytes("1"))], [new StreamEventWrite(Stream, "k", Bytes("kept"))]), CancellationToken.None);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.CommitAsync(
            new WriteUnit([new StateWrite(key, 0, Bytes("again"))], [new StreamEventWrite(Stream, "k", Bytes("dropped"))]),
            CancellationToken.None));

        var events = await Storage.ReadStreamAsync(Stream, 0, 10, CancellationToken.None);
        Assert.Equal(["kept"], events.Select(e => System.Text.Encoding.UTF8.GetString(e.Payload)));
    }

    [Fact]
    public async Task A_unit_of_events_alone_is_appended()
    {
        var versions = await Storage.CommitAsync(new WriteUnit([], [new StreamEventWrite(Stream, "solo", Bytes("only"))]), CancellationToken.None);

        Assert.Empty(versions);
        Assert.Single(await Storage.ReadStreamAsync(Stream, 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_stream_pages_in_sequence_order()
    {
        var other = Stream + "-other";
        for (var i = 0; i < 10; i++)
        {
            await Storage.CommitAsync(
                new WriteUnit([], [new StreamEventWrite(Stream, "k", Bytes($"mine-{i}")), new StreamEventWrite(other, "k", Bytes($"other-{i}"))]),
                CancellationToken.None);
        }

        var pages = new List<IReadOnlyList<StoredStreamEvent>>();
        var after = 0L;
        while (true)
        {
            var page = await Storage.ReadStreamAsync(Stream, after, 3, CancellationToken.None);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page);
            after = page[^1].Sequence;
        }

        Assert.Equal([3, 3, 3, 1], pages.Select(p => p.Count));
        var all = pages.SelectMany(p => p).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"mine-{i}"), all.Select(e => System.Text.Encoding.UTF8.GetString(e.Payload)));
        Assert.Equal(all.Select(e => e.Sequence).Order(), all.Select(e => e.Sequence));
        Assert.Equal(all.Count, all.Select(e => e.Sequence).Distinct().Count());
        Assert.Empty(await Storage.ReadStreamAsync(Stream, 0, 0, CancellationToken.None));
        Assert.Equal(all.Skip(4), await Storage.ReadStreamAsync(Stream, all[3].Sequence, 100, CancellationToken.None), new StreamEventComparer());
    }

    [Fact]
    public async Task Concurrent_writers_of_distinct_states_all_succeed()
    {
        var writes = Enumerable.Range(0, 64).Select(i => Storage.WriteAsync(new StateWrite(Key($"concurrent-{i}"), 0, Bytes($"v{i}")))).ToList();

        Assert.All(await Task.WhenAll(writes), version => Assert.Equal(1, version));
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal(Bytes($"v{i}"), (await Storage.ReadAsync(Key($"concurrent-{i}"), CancellationToken.None)).Payload);
        }
    }

    [Fact]
    public async Task Concurrent_writers_of_one_state_and_version_have_exactly_one_winner()
    {
        var key = Key("contended");
        await Storage.WriteAsync(new StateWrite(key, 0, Bytes("start")));

        var attempts = Enumerable.Range(0, 16).Select(async i =>
        {
            try
            {
                await Storage.WriteAsync(new StateWrite(key, 1, Bytes($"writer-{i}")));
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }).ToList();

        Assert.Equal(1, (await Task.WhenAll(attempts)).Count(won => won));
        Assert.Equal(2, (await Storage.ReadAsync(key, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_bulk_unit_writes_its_new_states_its_updates_and_its_events()
    {
        var counter = Key("bulk-counter", "issuer");
        await Storage.WriteAsync(new StateWrite(counter, 0, Bytes("0")));
        var created = Enumerable.Range(0, 40).Select(i => Key($"bulk-{i}")).ToList();

        var versions = await Storage.CommitAsync(BulkUnit(created, counter, 1, "bulk"), CancellationToken.None);

        Assert.Equal([.. Enumerable.Repeat(1L, created.Count), 2L], versions);
        foreach (var key in created)
        {
            var stored = await Storage.ReadAsync(key, CancellationToken.None);
            Assert.Equal(1, stored.Version);
            Assert.Equal(Bytes(key.GrainKey), stored.Payload);
        }

        Assert.Equal(new StoredState(2, Bytes("bulk")), await Storage.ReadAsync(counter, CancellationToken.None), StoredStateComparer.Instance);
        var events = await Storage.ReadStreamAsync(Stream, 0, 1000, CancellationToken.None);
        Assert.Equal(created.Select(k => k.GrainKey), events.Select(e => System.Text.Encoding.UTF8.GetString(e.Payload)));
        Assert.All(events, e => Assert.Equal("bulk", e.Key));
    }

    [Fact]
    public async Task A_bulk_unit_of_new_states_alone_is_written_with_its_events()
    {
        var created = Enumerable.Range(0, 30).Select(i => Key($"bulk-alone-{i}")).ToList();
        var unit = new WriteUnit(
            [.. created.Select(k => new StateWrite(k, 0, Bytes(k.GrainKey)))],
            [.. created.Select(k => new StreamEventWrite(Stream, "alone", Bytes(k.GrainKey)))])
        {
            InsertsInBulk = true,
        };

        Assert.Equal(Enumerable.Repeat(1L, created.Count), await Storage.CommitAsync(unit, CancellationToken.None));
        foreach (var key in created)
        {
            Assert.Equal(new StoredState(1, Bytes(key.GrainKey)), await Storage.ReadAsync(key, CancellationToken.None), StoredStateComparer.Instance);
        }

        var events = await Storage.ReadStreamAsync(Stream, 0, 1000, CancellationToken.None);
        Assert.Equal(created.Select(k => k.GrainKey), events.Select(e => System.Text.Encoding.UTF8.GetString(e.Payload)));
        Assert.All(events, e => Assert.InRange(e.CommittedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [Fact]
    public async Task A_bulk_unit_meeting_an_existing_state_writes_nothing_and_fails_alone()
    {
        var existing = Key("bulk-existing-3");
        await Storage.WriteAsync(new StateWrite(existing, 0, Bytes("first")));
        var counter = Key("bulk-counter", "issuer");
        await Storage.WriteAsync(new StateWrite(counter, 0, Bytes("0")));
        var otherCounter = Key("bulk-other-counter", "issuer");
        await Storage.WriteAsync(new StateWrite(otherCounter, 0, Bytes("0")));
        var losing = Enumerable.Range(0, 20).Select(i => Key($"bulk-existing-{i}")).ToList();
        var winning = Enumerable.Range(0, 20).Select(i => Key($"bulk-winning-{i}")).ToList();

        var losingUnit = Storage.CommitAsync(BulkUnit(losing, counter, 1, "losing"), CancellationToken.None);
        var winningUnit = Storage.CommitAsync(BulkUnit(winning, otherCounter, 1, "winning"), CancellationToken.None);
        var single = Storage.CommitAsync(
            new WriteUnit([new StateWrite(Key("bulk-single"), 0, Bytes("s"))], [new StreamEventWrite(Stream, "single", Bytes("single"))]),
            CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => losingUnit);
        Assert.Equal(existing, conflict.Key);
        Assert.Equal(1, conflict.StoredVersion);
        Assert.Equal(21, (await winningUnit).Count);
        Assert.Equal([1L], await single);
        Assert.Equal(new StoredState(1, Bytes("first")), await Storage.ReadAsync(existing, CancellationToken.None), StoredStateComparer.Instance);
        Assert.Equal(new StoredState(1, Bytes("0")), await Storage.ReadAsync(counter, CancellationToken.None), StoredStateComparer.Instance);
        foreach (var key in losing.Where(k => k != existing))
        {
            Assert.Equal(StoredState.Absent, await Storage.ReadAsync(key, CancellationToken.None));
        }

        foreach (var key in winning)
        {
            Assert.Equal(1, (await Storage.ReadAsync(key, CancellationToken.None)).Version);
        }

        var events = await Storage.ReadStreamAsync(Stream, 0, 1000, CancellationToken.None);
        Assert.DoesNotContain(events, e => e.Key == "losing");
        Assert.Equal(20, events.Count(e => e.Key == "winning"));
        Assert.Single(events, e => e.Key == "single");
    }

    [Fact]
    public async Task A_bulk_unit_with_a_stale_update_writes_nothing()
    {
        var counter = Key("bulk-stale-counter", "issuer");
        await Storage.WriteAsync(new StateWrite(counter, 0, Bytes("0")));
        await Storage.WriteAsync(new StateWrite(counter, 1, Bytes("1")));
        var created = Enumerable.Range(0, 20).Select(i => Key($"bulk-stale-{i}")).ToList();

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.CommitAsync(BulkUnit(created, counter, 1, "stale"), CancellationToken.None));

        Assert.Equal(counter, conflict.Key);
        Assert.Equal(2, conflict.StoredVersion);
        foreach (var key in created)
        {
            Assert.Equal(StoredState.Absent, await Storage.ReadAsync(key, CancellationToken.None));
        }

        Assert.Empty(await Storage.ReadStreamAsync(Stream, 0, 1000, CancellationToken.None));
    }

    [Fact]
    public async Task Many_states_read_at_once_come_back_in_the_order_asked_as_single_reads_see_them()
    {
        // More keys than one query of the SQL stores takes, written, cleared and absent, one named twice.
        var written = Enumerable.Range(0, 1500).Select(i => Key("many-" + i)).ToList();
        await Storage.CommitAsync(new WriteUnit([.. written.Select(k => new StateWrite(k, 0, Bytes(k.GrainKey)))]), CancellationToken.None);
        await Storage.WriteAsync(new StateWrite(written[7], 1, Bytes("second")));
        await Storage.WriteAsync(new StateWrite(written[8], 1, Payload: null));
        var keys = written.Concat(Enumerable.Range(0, 1500).Select(i => Key("many-absent-" + i))).Append(written[3]).Reverse().ToList();

        var many = await Storage.ReadManyAsync(keys, CancellationToken.None);

        Assert.Equal(keys.Count, many.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(await Storage.ReadAsync(keys[i], CancellationToken.None), many[i], StoredStateComparer.Instance);
        }

        Assert.Equal(new StoredState(2, Bytes("second")), many[keys.IndexOf(written[7])], StoredStateComparer.Instance);
        Assert.Equal(new StoredState(2, null), many[keys.IndexOf(written[8])], StoredStateComparer.Instance);
        Assert.Equal(StoredState.Absent, many[keys.IndexOf(Key("many-absent-0"))]);
        Assert.Empty(await Storage.ReadManyAsync([], CancellationToken.None));
    }

    /// <summary>
    /// A unit shaped like a bulk issuance batch: new states (each with an event) and one update of a
    /// counter expected at <paramref name="counterVersion"/>, flagged for the bulk path.
    /// </summary>
    protected WriteUnit BulkUnit(IReadOnlyList<GrainStateKey> created, GrainStateKey counter, long counterVersion, string name) =>
        new(
            [.. created.Select(k => new StateWrite(k, 0, Bytes(k.GrainKey))), new StateWrite(counter, counterVersion, Bytes(name))],
            [.. created.Select(k => new StreamEventWrite(Stream, name, Bytes(k.GrainKey)))])
        {
            InsertsInBulk = true,
        };

    /// <summary>Compares stored states by version and payload bytes.</summary>
    protected sealed class StoredStateComparer : IEqualityComparer<StoredState>
    {
        public static readonly StoredStateComparer Instance = new();

        public bool Equals(StoredState x, StoredState y) =>
            x.Version == y.Version && (x.Payload is null) == (y.Payload is null) && (x.Payload ?? []).AsSpan().SequenceEqual(y.Payload);

        public int GetHashCode(StoredState obj) => obj.Version.GetHashCode();
    }

    private sealed class StreamEventComparer : IEqualityComparer<StoredStreamEvent>
    {
        public bool Equals(StoredStreamEvent? x, StoredStreamEvent? y) =>
            x is not null && y is not null && x.Sequence == y.Sequence && x.Stream == y.Stream && x.Key == y.Key && x.Payload.SequenceEqual(y.Payload);

        public int GetHashCode(StoredStreamEvent obj) => obj.Sequence.GetHashCode();
    }
}
