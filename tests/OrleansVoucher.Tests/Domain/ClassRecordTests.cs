using System.Text;
using System.Text.Json.Nodes;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// A class keeps its definition in its row, written once, what changes of the class as a whole in a
/// small counters record, and each trainee as a record of its own: what an enrolment, a check-in or a
/// result writes does not grow with the class or its sessions, the capacity holds against racing
/// enrolments on several silos (R11), a stale trainee record loses its write and the class recovers, and
/// classes stored in the former shapes (counters inside the row; trainees inside the row) are migrated.
/// </summary>
public abstract class ClassRecordTests : DomainTestBase
{
    /// <summary>Generous bounds for one record of a class of five sessions (the roster page holds at most 64 ids).</summary>
    private const int ClassRowBytes = 2_048;
    private const int CountersBytes = 128;
    private const int RosterPageBytes = 64 * 24;
    private const int TraineeRecordBytes = 512;

    [Fact]
    public async Task R11_R13_each_enrolment_and_check_in_of_a_class_of_several_hundred_writes_only_small_records()
    {
        const int trainees = 300;
        var recording = await RecordingAsync();
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        var classKey = await Given.ClassAsync("SCHOOL1", "C1");
        var workers = new List<string>();
        var codes = new List<string>();
        var countersSizes = new List<int>();
        for (var n = 1; n <= trainees; n++)
        {
            var worker = await Given.WorkerAsync(n);
            var code = await Given.ClaimAsync("general", worker);
            recording.Clear();
            await Given.VerifyAsync("SCHOOL1", code, worker, "C1");

            // One unit: the voucher, the worker, the institution, and of the class its counters, one
            // roster page and the new trainee's record; not its row, nor any other trainee's record.
            var unit = Assert.Single(recording.Units, u => u.Failure is null && u.States.Any(s => IsOfClass(s.Key, classKey)));
            var classWrites = unit.States.Where(s => IsOfClass(s.Key, classKey)).ToList();
            Assert.Equal(["counters", "roster", "trainee"], classWrites.Select(s => s.Key.StateName).Order());
            Assert.All(classWrites, write => Assert.True(write.Payload!.Length <= BoundOf(write.Key), $"{write.Key}: {write.Payload!.Length} bytes"));
            Assert.All(codes, earlier => Assert.DoesNotContain(earlier, Text(classWrites)));
            countersSizes.Add(classWrites.Single(s => s.Key.StateName == "counters").Payload!.Length);
            workers.Add(worker);
            codes.Add(code);
        }

        // The class's counters do not grow with its trainees (only the counts' digits do).
        Assert.InRange(countersSizes[^1] - countersSizes[0], 0, 8);
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Assert.Equal(trainees, (await schoolClass.GetAsync())!.Trainees.Count);

        // R13: each check-in writes the trainee's record, and the class's counters only for the session's first.
        Given.AdvanceTo((await schoolClass.GetAsync())!.Sessions[0].Start);
        for (var i = 0; i < trainees; i += 37)
        {
            recording.Clear();
            Ok(await schoolClass.CheckInAsync(new CheckInRequest(workers[i], 0, Site)));
            var unit = Assert.Single(recording.Units);
            Assert.Null(unit.Failure);
            Assert.Equal(i == 0 ? new[] { "counters", "trainee" } : ["trainee"], unit.States.Select(s => s.Key.StateName).Order());
            Assert.All(unit.States, write => Assert.True(write.Payload!.Length <= BoundOf(write.Key)));
            Assert.All(workers.Where((_, j) => j != i), other => Assert.DoesNotContain(other, Text(unit.States)));
        }

        // A fresh activation reads the roster back from its pages, and each trainee's record on demand.
        await RestartAsync();
        schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Assert.Equal(workers.Order(), (await schoolClass.GetAsync())!.Trainees.Order());
        Assert.Equal([0], (await schoolClass.GetAttendanceAsync(workers[37])).GetValueOrThrow().AttendedSessions);
        Assert.Empty((await schoolClass.GetAttendanceAsync(workers[1])).GetValueOrThrow().AttendedSessions);
    }

    [Fact]
    public async Task R11_racing_enrolments_on_two_silos_never_exceed_the_capacity()
    {
        const int capacity = 5;
        var classKey = await ClassOfCapacityAsync(capacity);
        var claimed = new List<(string Worker, string Code)>();
        for (var n = 1; n <= 16; n++)
        {
            var worker = await Given.WorkerAsync(n);
            claimed.Add((worker, await Given.ClaimAsync("general", worker)));
        }

        var here = await RecordingAsync();
        RecordingGrainStorage? there = null;
        await using var other = await StartAnotherSiloAsync(inner => there = new RecordingGrainStorage(inner));
        IGrainFactory[] silos = [Grains, other.Grains];

        // Both silos hold an activation of the empty class: whichever enrols second built on a stale version.
        foreach (var silo in silos)
        {
            Assert.Empty((await silo.GetGrain<IClassGrain>(classKey).GetAsync())!.Trainees);
        }

        var results = await Task.WhenAll(claimed.Select((c, i) => Task.Run(async () =>
        {
            // Each enrolment is retried while it meets another in progress, until it is decided.
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 500, "The enrolment was never decided.");
                var result = await silos[i % 2].GetGrain<IInstitutionGrain>("SCHOOL1").VerifyVoucherAsync(new VerificationRequest(c.Code, c.Worker, "C1"));
                if (result.Rejection != RejectionCode.ConcurrentOperation)
                {
                    return result;
                }
            }
        })));

        // The two silos' activations of the class did race: an enrolment lost the counters' version check.
        Assert.Contains(here.Units.Concat(there!.Units), u => u.Failure is InconsistentStateException && u.States.Any(s => s.Key == CountersKey(classKey)));
        Assert.Equal(capacity, results.Count(r => r.IsSuccess));
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(RejectionCode.ClassFull, r.Rejection));
        await RestartAsync();
        var enrolled = (await Grains.GetGrain<IClassGrain>(classKey).GetAsync())!.Trainees;
        Assert.Equal(capacity, enrolled.Count);
        foreach (var (worker, code) in claimed)
        {
            var voucher = await Given.VoucherAsync(code);
            Assert.Equal(enrolled.Contains(worker), voucher.Status == VoucherStatus.Activated);
        }

        await Invariants.AssertConsistentAsync(Grains, claimed.Select(c => c.Code));
    }

    [Fact]
    public async Task R11_a_rolled_back_trainee_frees_the_seat_and_enrols_again_under_a_record_of_its_own()
    {
        var classKey = await ClassOfCapacityAsync(1);
        var (worker, other) = (await Given.WorkerAsync(1), await Given.WorkerAsync(2));
        var (code, otherCode) = (await Given.ClaimAsync("general", worker), await Given.ClaimAsync("general", other));
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        Rejected(RejectionCode.ClassFull, await Given.TryVerifyAsync("SCHOOL1", otherCode, other, "C1"));

        Ok(await institution.RollBackVerificationAsync(code, "trainee changed class"));
        Assert.False((await Silo.Storage.ReadAsync(ClassGrain.TraineeKeyOf(classKey, worker, 0), CancellationToken.None)).RecordExists);
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        Rejected(RejectionCode.ClassFull, await Given.TryVerifyAsync("SCHOOL1", otherCode, other, "C1"));

        // The enrolment after the rollback has a record of its own; the cleared one stays cleared.
        Assert.True((await Silo.Storage.ReadAsync(ClassGrain.TraineeKeyOf(classKey, worker, 1), CancellationToken.None)).RecordExists);
        await RestartAsync();
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Assert.Equal([worker], (await schoolClass.GetAsync())!.Trainees);
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(code, "trainee left"));
        await Given.VerifyAsync("SCHOOL1", otherCode, other, "C1");
        Assert.Equal([other], (await schoolClass.GetAsync())!.Trainees);
        await Invariants.AssertConsistentAsync(Grains, [code, otherCode]);
    }

    [Fact]
    public async Task R13_a_stale_trainee_record_loses_its_write_and_the_class_decides_again_on_what_the_store_holds()
    {
        var recording = await RecordingAsync();
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        var classKey = await Given.ClassAsync("SCHOOL1", "C1");
        var (first, second) = (await Given.WorkerAsync(1), await Given.WorkerAsync(2));
        await Given.VerifyAsync("SCHOOL1", await Given.ClaimAsync("general", first), first, "C1");
        await Given.VerifyAsync("SCHOOL1", await Given.ClaimAsync("general", second), second, "C1");
        var here = Grains.GetGrain<IClassGrain>(classKey);
        Given.AdvanceTo((await here.GetAsync())!.Sessions[0].Start);
        Ok(await here.CheckInAsync(new CheckInRequest(second, 0, Site)));
        Assert.Empty((await here.GetAttendanceAsync(first)).GetValueOrThrow().AttendedSessions);

        // Another silo's activation of the class checks the first trainee in: it writes the trainee's
        // record alone (the session had a check-in already), behind this activation's back.
        await using var other = await StartAnotherSiloAsync();
        Ok(await other.Grains.GetGrain<IClassGrain>(classKey).CheckInAsync(new CheckInRequest(first, 0, Site)));

        // This activation still holds the record without that check-in: its write loses the version
        // check, it reads the record again, and decides on it that this check-in is a repeat.
        recording.Clear();
        var receipt = (await here.CheckInAsync(new CheckInRequest(first, 0, Site))).GetValueOrThrow();

        var lost = Assert.IsType<InconsistentStateException>(recording.Units[0].Failure);
        Assert.Equal(ClassGrain.TraineeKeyOf(classKey, first, 0), lost.Key);
        Assert.Equal([AnomalyKind.RepeatedCheckIn], receipt.Flags);
        Assert.Equal([0], (await here.GetAttendanceAsync(first)).GetValueOrThrow().AttendedSessions);
        await RestartAsync();
        Assert.Equal([0], (await Grains.GetGrain<IClassGrain>(classKey).GetAttendanceAsync(first)).GetValueOrThrow().AttendedSessions);
        Assert.Contains((await Grains.GetGrain<IClassGrain>(classKey).GetAnomaliesAsync()), a => a.Kind == AnomalyKind.RepeatedCheckIn && a.CitizenId == first);
    }

    [Fact]
    public async Task R13_R14_a_class_stored_with_its_trainees_inside_its_row_is_migrated_when_activated()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        var classKey = await Given.ClassAsync("SCHOOL1", "C1", offline: 2);
        var (first, second, late) = (await Given.WorkerAsync(1), await Given.WorkerAsync(2), await Given.WorkerAsync(3));
        var (firstCode, secondCode) = (await Given.ClaimAsync("general", first), await Given.ClaimAsync("general", second));
        var lateCode = await Given.ClaimAsync("general", late);

        // The class's row as releases that kept trainees inside it wrote it: no counts, the trainees,
        // and no counters record.
        await FormerShapeAsync(classKey, row =>
        {
            row["flags"] = new JsonArray();
            row["trainees"] = new JsonObject
            {
                [first] = new JsonObject { ["voucherCode"] = firstCode, ["campaignId"] = "general", ["attended"] = new JsonArray(0) },
                [second] = new JsonObject { ["voucherCode"] = secondCode, ["campaignId"] = "general", ["attended"] = new JsonArray(), ["traineeScore"] = 4 },
            };
        });
        await RestartAsync();

        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Assert.Equal([first, second], (await schoolClass.GetAsync())!.Trainees.Order());
        var migrated = await TextOfAsync(RowKey(classKey));
        Assert.DoesNotContain("trainees", migrated);
        Assert.DoesNotContain("flags", migrated);
        Assert.Contains("\"enrolled\":2", await TextOfAsync(CountersKey(classKey)));
        Assert.True((await Silo.Storage.ReadAsync(ClassGrain.TraineeKeyOf(classKey, second, 1), CancellationToken.None)).RecordExists);
        Assert.Equal([0], (await schoolClass.GetAttendanceAsync(first)).GetValueOrThrow().AttendedSessions);

        // Enrolments go on after the migrated ones.
        await Given.VerifyAsync("SCHOOL1", lateCode, late, "C1");
        Assert.True((await Silo.Storage.ReadAsync(ClassGrain.TraineeKeyOf(classKey, late, 2), CancellationToken.None)).RecordExists);

        // R13: the session the old row's trainee attended is not one without check-ins.
        var sessions = (await schoolClass.GetAsync())!.Sessions;
        Given.AdvanceTo(sessions[1].Start);
        Ok(await schoolClass.CheckInAsync(new CheckInRequest(second, 1, Site)));
        Given.AdvanceTo(sessions[1].End);
        Assert.DoesNotContain(await schoolClass.GetAnomaliesAsync(), a => a.Kind == AnomalyKind.SessionWithoutCheckIns);

        // A fresh activation reads them all back.
        await RestartAsync();
        schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Assert.Equal(new[] { first, second, late }.Order(), (await schoolClass.GetAsync())!.Trainees.Order());
        Assert.Equal([1], (await schoolClass.GetAttendanceAsync(second)).GetValueOrThrow().AttendedSessions);
        Assert.Equal(4, (await Silo.Storage.ReadAsync(ClassGrain.TraineeKeyOf(classKey, second, 1), CancellationToken.None)) is { Payload: { } payload }
            ? JsonNode.Parse(payload)!["traineeScore"]!.GetValue<int>()
            : 0);
    }

    [Fact]
    public async Task R11_R13_a_class_stored_with_its_counters_inside_its_row_is_migrated_when_activated()
    {
        var classKey = await ClassOfCapacityAsync(3, offline: 2);
        var workers = new List<string>();
        var codes = new List<string>();
        for (var n = 1; n <= 5; n++)
        {
            workers.Add(await Given.WorkerAsync(n));
            codes.Add(await Given.ClaimAsync("general", workers[^1]));
        }

        // Three enrolments, the third rolled back (two enrolled, ordinal 3 next), and a repeated check-in
        // at the opening of check-in for the first session (before it starts: enrolments go on).
        for (var i = 0; i < 3; i++)
        {
            await Given.VerifyAsync("SCHOOL1", codes[i], workers[i], "C1");
        }

        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(codes[2], "trainee changed class"));
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        var sessions = (await schoolClass.GetAsync())!.Sessions;
        Given.AdvanceTo(sessions[0].Start - TimeSpan.FromMinutes(30));
        Ok(await schoolClass.CheckInAsync(new CheckInRequest(workers[0], 0, Site)));
        Ok(await schoolClass.CheckInAsync(new CheckInRequest(workers[0], 0, Site)));

        // The class's row as releases before the counters record wrote it: the counters inside it.
        var counters = await CountersInsideRowAsync(classKey);
        Assert.Contains("\"nextOrdinal\":3", counters.ToJsonString());
        await RestartAsync();

        schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Assert.Equal(workers.Take(2).Order(), (await schoolClass.GetAsync())!.Trainees.Order());
        var migrated = await TextOfAsync(RowKey(classKey));
        Assert.DoesNotContain("enrolled", migrated);
        Assert.DoesNotContain("flags", migrated);
        Assert.True(JsonNode.DeepEquals(counters, JsonNode.Parse(await TextOfAsync(CountersKey(classKey)))));

        // R11: the next enrolment takes ordinal 3 and the last seat; the one after finds the class full.
        await Given.VerifyAsync("SCHOOL1", codes[3], workers[3], "C1");
        Assert.True((await Silo.Storage.ReadAsync(ClassGrain.TraineeKeyOf(classKey, workers[3], 3), CancellationToken.None)).RecordExists);
        Rejected(RejectionCode.ClassFull, await Given.TryVerifyAsync("SCHOOL1", codes[4], workers[4], "C1"));

        // R13: the flag and the attended session came over.
        Given.AdvanceTo(sessions[0].End);
        var anomalies = await schoolClass.GetAnomaliesAsync();
        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.RepeatedCheckIn && a.CitizenId == workers[0]);
        Assert.DoesNotContain(anomalies, a => a.Kind == AnomalyKind.SessionWithoutCheckIns);

        // A fresh activation reads them all back.
        await RestartAsync();
        schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Assert.Equal(new[] { workers[0], workers[1], workers[3] }.Order(), (await schoolClass.GetAsync())!.Trainees.Order());
        Assert.Equal([0], (await schoolClass.GetAttendanceAsync(workers[0])).GetValueOrThrow().AttendedSessions);
        await Invariants.AssertConsistentAsync(Grains, codes);
    }

    [Fact]
    public async Task R11_of_two_silos_migrating_one_class_at_once_one_loses_its_version_check_and_reads_the_migrated_class()
    {
        var classKey = await ClassOfCapacityAsync(2);
        var (first, second, third) = (await Given.WorkerAsync(1), await Given.WorkerAsync(2), await Given.WorkerAsync(3));
        var codes = new[] { await Given.ClaimAsync("general", first), await Given.ClaimAsync("general", second), await Given.ClaimAsync("general", third) };
        await Given.VerifyAsync("SCHOOL1", codes[0], first, "C1");
        await CountersInsideRowAsync(classKey);

        // This silo's activation reads the class in the former shape; just before its migration commits,
        // another silo's activation reads it too and migrates it.
        await using var other = await StartAnotherSiloAsync();
        RecordingGrainStorage? recording = null;
        InterleavingGrainStorage? interleaving = null;
        await RestartAsync(inner => interleaving = new InterleavingGrainStorage(
            recording = new RecordingGrainStorage(inner),
            unit => unit.States.Any(s => s.Key == CountersKey(classKey)),
            async () => Assert.Equal([first], (await other.Grains.GetGrain<IClassGrain>(classKey).GetAsync())!.Trainees)));

        await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<IClassGrain>(classKey).GetAsync());
        Assert.True(interleaving!.Fired);
        var lost = Assert.Single(recording!.Units);
        Assert.IsType<InconsistentStateException>(lost.Failure);
        Assert.Contains(lost.States, s => s.Key == CountersKey(classKey));

        // The next call reads the migrated class; the capacity counts the enrolment from before.
        Assert.Equal([first], (await Grains.GetGrain<IClassGrain>(classKey).GetAsync())!.Trainees);
        Assert.DoesNotContain("enrolled", await TextOfAsync(RowKey(classKey)));
        Ok(await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").VerifyVoucherAsync(new VerificationRequest(codes[1], second, "C1")));
        Rejected(RejectionCode.ClassFull, await Given.TryVerifyAsync("SCHOOL1", codes[2], third, "C1"));
        Assert.Equal(new[] { first, second }.Order(), (await Grains.GetGrain<IClassGrain>(classKey).GetAsync())!.Trainees.Order());
        await Invariants.AssertConsistentAsync(Grains, codes);
    }

    /// <summary>Class C1 of institution SCHOOL1, of <paramref name="capacity"/> seats, with a general campaign in Fujian to enrol from.</summary>
    private async Task<string> ClassOfCapacityAsync(int capacity, int offline = 5)
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        var registration = new ClassRegistration("C1", Ecommerce, null, Given.Sessions(TimeSpan.FromDays(7), offline), Capacity: capacity);
        return (await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RegisterClassAsync(registration)).GetValueOrThrow().Key;
    }

    /// <summary>Puts the class back in the shape releases before the counters record wrote: its counters inside its row. Returns them.</summary>
    private async Task<JsonObject> CountersInsideRowAsync(string classKey)
    {
        var counters = JsonNode.Parse(await TextOfAsync(CountersKey(classKey)))!.AsObject();
        await FormerShapeAsync(classKey, row =>
        {
            foreach (var (name, value) in counters)
            {
                row[name] = value?.DeepClone();
            }
        });
        return counters;
    }

    private static GrainStateKey RowKey(string classKey) => new("class", "class", classKey);

    private static GrainStateKey CountersKey(string classKey) => new("class", "counters", classKey);

    private async Task<string> TextOfAsync(GrainStateKey key) =>
        Encoding.UTF8.GetString((await Silo.Storage.ReadAsync(key, CancellationToken.None)).Payload!);

    /// <summary>
    /// Rewrites the class's row in a former shape (<paramref name="shape"/> adds to the definition what
    /// that shape held), and clears its counters record, which no former shape had.
    /// </summary>
    private async Task FormerShapeAsync(string classKey, Action<JsonObject> shape)
    {
        var stored = await Silo.Storage.ReadAsync(RowKey(classKey), CancellationToken.None);
        var row = JsonNode.Parse(stored.Payload!)!.AsObject();
        shape(row);
        await Silo.Storage.WriteAsync(new StateWrite(RowKey(classKey), stored.Version, Encoding.UTF8.GetBytes(row.ToJsonString())));
        var counters = await Silo.Storage.ReadAsync(CountersKey(classKey), CancellationToken.None);
        await Silo.Storage.WriteAsync(new StateWrite(CountersKey(classKey), counters.Version, Payload: null));
    }

    private async Task<RecordingGrainStorage> RecordingAsync()
    {
        RecordingGrainStorage? recording = null;
        await RestartAsync(inner => recording = new RecordingGrainStorage(inner));
        return recording!;
    }

    private static bool IsOfClass(GrainStateKey key, string classKey) =>
        key.GrainType == "class" && (key.GrainKey == classKey || key.GrainKey.StartsWith(classKey + "/", StringComparison.Ordinal));

    private static int BoundOf(GrainStateKey key) => key.StateName switch
    {
        "class" => ClassRowBytes,
        "counters" => CountersBytes,
        "roster" => RosterPageBytes,
        _ => TraineeRecordBytes,
    };

    private static string Text(IEnumerable<StateWrite> writes) => string.Concat(writes.Select(w => w.Payload is { } p ? Encoding.UTF8.GetString(p) : ""));
}

public sealed class ClassRecordTestsOnMemory : ClassRecordTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class ClassRecordTestsOnPostgreSql(PostgresFixture fixture) : ClassRecordTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}

public sealed class ClassRecordTestsOnSqlite : ClassRecordTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new SqliteDomainStore());
}
