using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Verification, the hot path at the enrolment desk: once its grains are active it reads nothing from
/// storage, and repeating it is answered from memory with the same receipt, so it needs no idempotency
/// key (which would cost a record's read).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class VerificationFastPathTests(VerificationFastPathTests.Desk desk) : IClassFixture<VerificationFastPathTests.Desk>
{
    [Fact]
    public async Task A_verification_on_active_grains_reads_nothing_from_storage_and_its_repeat_writes_nothing()
    {
        var (code, worker) = desk.Next();
        var reads = desk.Storage.StateReads + desk.Storage.StreamReads;
        var commits = desk.Storage.Commits;

        var receipt = await desk.Programme.VerifyAsync(Desk.School, code, worker, Desk.ClassCode).ExpectAsync(201);

        Assert.Equal(reads, desk.Storage.StateReads + desk.Storage.StreamReads);
        Assert.True(desk.Storage.Commits > commits, "The verification wrote nothing.");
        commits = desk.Storage.Commits;

        var repeat = await desk.Programme.VerifyAsync(Desk.School, code, worker, Desk.ClassCode).ExpectAsync(200);

        Assert.Equal(receipt.GetRawText(), repeat.GetRawText());
        Assert.Equal(reads, desk.Storage.StateReads + desk.Storage.StreamReads);
        Assert.Equal(commits, desk.Storage.Commits);
    }

    [Fact]
    public async Task An_idempotency_key_costs_the_read_of_its_record()
    {
        var (code, worker) = desk.Next();
        var reads = desk.Storage.StateReads;

        await desk.Programme.VerifyAsync(Desk.School, code, worker, Desk.ClassCode, idempotencyKey: $"desk-{code}").ExpectAsync(201);

        Assert.Equal(reads + 1, desk.Storage.StateReads);
    }

    [Fact]
    public async Task The_same_voucher_for_another_presenter_or_class_is_not_a_repeat()
    {
        var (code, worker) = desk.Next();
        var (_, other) = desk.Next();
        await desk.Programme.VerifyAsync(Desk.School, code, worker, Desk.ClassCode).ExpectAsync(201);

        await desk.Programme.VerifyAsync(Desk.School, code, other, Desk.ClassCode).ProblemAsync(409, "already-used");
        await desk.Programme.VerifyAsync(Desk.School, code, worker, Desk.OtherClassCode).ProblemAsync(409, "already-used");
    }

    /// <summary>
    /// An enrolment desk: a Fujian institution with two classes, and workers who have claimed vouchers
    /// (so their worker and voucher grains are active), after one verification has warmed the
    /// catalogue lookups.
    /// </summary>
    public sealed class Desk : VoucherEngine
    {
        /// <summary>The institution.</summary>
        public const string School = "FJDESK01";

        /// <summary>The class verifications enrol into.</summary>
        public const string ClassCode = "D-1";

        /// <summary>Another class of the institution.</summary>
        public const string OtherClassCode = "D-2";

        private readonly Queue<(string Code, string Worker)> _claimed = new();

        /// <summary>The programme's builder.</summary>
        public Programme Programme { get; private set; } = null!;

        /// <summary>A claimed voucher and its holder, not yet verified.</summary>
        public (string Code, string Worker) Next() => _claimed.Dequeue();

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Programme = new Programme(this);
            await Programme.RegionAsync("350000", Programme.FujianPolicy);
            await Programme.InstitutionAsync(School, "350102", listedBy: "350000");
            await Programme.CampaignAsync("desk-general", "350000", Programme.General("350000"));
            await Programme.ClassAsync(School, ClassCode, Programme.Ecommerce);
            await Programme.ClassAsync(School, OtherClassCode, Programme.Ecommerce);
            for (var i = 1; i <= 8; i++)
            {
                var worker = await Programme.WorkerAsync(Caller.CitizenId("350102", i), "350102");
                _claimed.Enqueue((await Programme.ClaimAsync("desk-general", worker), worker));
            }

            var (code, holder) = Next();
            await Programme.VerifyAsync(School, code, holder, ClassCode).ExpectAsync(201);
        }
    }
}
