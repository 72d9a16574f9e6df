using OrleansVoucher.Grains;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// Races: in each round two clients make conflicting requests at once, one through each engine, on
/// grains both engines hold activations of, and the rule the requests contend for holds afterwards, as
/// the store shows it through a fresh engine. Rounds alternate which engine makes which request, and
/// grains the rounds share (campaigns, issuers, classes) are held by each engine as it last saw them.
/// </summary>
public abstract partial class TwoEngineTests
{
    /// <summary>Rounds of a race: each engine makes each request, on copies the other engine has moved past.</summary>
    private const int Rounds = 8;

    [Fact]
    public async Task R7_a_worker_claiming_two_campaigns_through_two_engines_at_once_is_issued_one_live_voucher()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("first", General(Fujian));
        await Given.CampaignAsync("second", General(Fujian));
        await using var other = await StartAnotherSiloAsync();

        var workers = await RaceClaimsAsync([Grains, other.Grains], "first", "second", RejectionCode.LiveVoucherHeld);

        await RestartAsync();
        await AssertOneLiveVoucherEachAsync(workers);
        Assert.Equal(Rounds, (await ClaimedAsync("first")) + (await ClaimedAsync("second")));
    }

    [Fact]
    public async Task R7_a_directed_bulk_row_through_one_engine_racing_a_claim_through_the_other_issues_one_live_voucher()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian));
        await Given.CampaignAsync("directed", Directed(Fujian));
        await using var other = await StartAnotherSiloAsync();
        IGrainFactory[] engines = [Grains, other.Grains];
        var workers = new List<string>();
        var issued = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var worker = await Given.WorkerAsync(round + 1);
            workers.Add(worker);
            await InBothAsync(engines, engine => engine.GetGrain<IWorkerGrain>(worker).GetAsync());

            var (row, claim) = await RaceAsync(
                () => IssueBatchThroughAsync(engines[round % 2], "directed", $"job-{round}", [new BulkIssueItem(1, worker, Ecommerce, null, "SCHOOL1", null)]),
                () => ClaimThroughAsync(engines[(round + 1) % 2], worker));

            var directed = Assert.Single(row);
            Assert.False(directed.VoucherCode is not null && claim.IsSuccess, $"Round {round}: the worker was issued a directed voucher and claimed a general one.");
            Assert.True(directed.VoucherCode is not null || directed.Retry || directed.Rejection?.Code == BulkRejectionCodes.Of(RejectionCode.LiveVoucherHeld), $"Round {round}: {directed.Rejection?.Code}");
            Assert.True(claim.IsSuccess || claim.Rejection is RejectionCode.LiveVoucherHeld or RejectionCode.ConcurrentOperation, $"Round {round}: {claim.Rejection}");
            issued += (directed.VoucherCode is null ? 0 : 1) + (claim.IsSuccess ? 1 : 0);
        }

        await RestartAsync();
        await AssertOneLiveVoucherEachAsync(workers);
        var statistics = Grains.GetGrain<ICampaignStatisticsGrain>("directed");
        Assert.Equal(issued, (await statistics.RecountAsync()).Current.Issued + await ClaimedAsync("general"));
    }

    [Fact]
    public async Task R10_under_Shaoxing_s_one_activation_a_year_vouchers_of_two_occupations_verified_through_two_engines_at_once_activate_one()
    {
        await OneActivationAYearAsync();
        await using var other = await StartAnotherSiloAsync();
        IGrainFactory[] engines = [Grains, other.Grains];
        var held = new List<(string Worker, string First, string Second)>();
        for (var round = 0; round < Rounds; round++)
        {
            var worker = await Given.WorkerAsync(round + 1);
            var first = await Given.ClaimAsync("first", worker);
            var second = await Given.ClaimAsync("second", worker);
            held.Add((worker, first, second));
            await CheckThroughBothAsync(engines, "SCHOOL1", first, worker, "C1");
            await CheckThroughBothAsync(engines, "SCHOOL2", second, worker, "C2");

            var results = await RaceAsync(
                () => VerifyThroughAsync(engines[round % 2], "SCHOOL1", first, worker, "C1"),
                () => VerifyThroughAsync(engines[(round + 1) % 2], "SCHOOL2", second, worker, "C2"));

            AssertOneWon(round, results.Item1, results.Item2, RejectionCode.YearlyLimitReached);
        }

        await RestartAsync();
        foreach (var (worker, first, second) in held)
        {
            Assert.Single((await Given.WorkerViewAsync(worker)).Slots);
            await Invariants.AssertConsistentAsync(Grains, [first, second]);
        }
    }

    [Fact]
    public async Task R5_claims_through_two_engines_at_once_never_exceed_the_budget()
    {
        const int covered = 6;
        await Given.FujianAsync();
        await Given.CampaignAsync("budget", General(Fujian, quantity: 1000, budgetFen: covered * 50_000));
        var workers = new List<string>();
        for (var n = 1; n <= 16; n++)
        {
            workers.Add(await Given.WorkerAsync(n));
        }

        await using var other = await StartAnotherSiloAsync();
        IGrainFactory[] engines = [Grains, other.Grains];

        // Each engine's issuer holds a block of the budget, handed out before the other engine's claims.
        Ok(await ClaimThroughAsync(engines[0], workers[0], "budget"));
        Ok(await ClaimThroughAsync(engines[1], workers[1], "budget"));

        var results = await Task.WhenAll(workers.Skip(2).Select((worker, i) => Task.Run(() => DecidedAsync(() => ClaimThroughAsync(engines[i % 2], worker, "budget")))));

        Assert.Equal(covered - 2, results.Count(r => r.IsSuccess));
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(RejectionCode.BudgetExhausted, r.Rejection));
        await RestartAsync();
        var campaign = (await Grains.GetGrain<ICampaignGrain>("budget").GetAsync())!;
        Assert.True(campaign.AllocatedBudgetFen <= campaign.Definition.BudgetCapFen, $"{campaign.AllocatedBudgetFen} fen handed out of {campaign.Definition.BudgetCapFen}.");
        Assert.Equal(covered, await ClaimedAsync("budget"));
    }

    [Fact]
    public async Task R5_bulk_jobs_through_two_engines_on_one_campaign_never_exceed_its_quantity()
    {
        const int quantity = 12;
        await Given.FujianAsync();
        await Given.CampaignAsync("bulk", General(Fujian, quantity: quantity));
        await using var other = await StartAnotherSiloAsync();
        IGrainFactory[] engines = [Grains, other.Grains];

        // Each engine's issuer holds a block, handed out before the other engine's batches.
        for (var e = 0; e < engines.Length; e++)
        {
            Assert.NotNull(Assert.Single(await IssueBatchThroughAsync(engines[e], "bulk", $"first-{e}", Rows(Citizen(e + 1)))).VoucherCode);
        }

        var jobs = await Task.WhenAll(engines.Select((engine, e) => Task.Run(() => IssueUntilDecidedAsync(
            engine, "bulk", $"job-{e}", Rows([.. Enumerable.Range(100 + (10 * e), 8).Select(n => Citizen(n))])))));

        var rows = jobs.SelectMany(j => j).ToList();
        Assert.Equal(quantity - 2, rows.Count(r => r.VoucherCode is not null));
        Assert.All(rows.Where(r => r.VoucherCode is null), r => Assert.Equal(BulkRejectionCodes.Of(RejectionCode.StockExhausted), r.Rejection?.Code));
        await RestartAsync();
        Assert.True((await Grains.GetGrain<ICampaignGrain>("bulk").GetAsync())!.AllocatedQuantity <= quantity);
        Assert.Equal(quantity, await ClaimedAsync("bulk"));
    }

    [Fact]
    public async Task R8_a_worker_claiming_one_campaign_through_two_engines_at_once_is_given_one_voucher()
    {
        // Where a worker may hold several vouchers (R7 off), R8 alone stands between the two claims.
        await Given.RegionAsync(Fujian, RegionPolicy.Fujian with { OneLiveVoucher = false });
        await Given.CampaignAsync("general", General(Fujian));
        await using var other = await StartAnotherSiloAsync();

        var workers = await RaceClaimsAsync([Grains, other.Grains], "general", "general", RejectionCode.AlreadyClaimed);

        await RestartAsync();
        foreach (var worker in workers)
        {
            Assert.Single((await Given.WorkerViewAsync(worker)).Vouchers);
        }

        Assert.Equal(Rounds, await ClaimedAsync("general"));
    }

    [Fact]
    public async Task R8_a_directed_voucher_claimed_through_two_engines_at_once_is_claimed_once()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("directed", Directed(Fujian));
        await using var other = await StartAnotherSiloAsync();
        IGrainFactory[] engines = [Grains, other.Grains];
        var codes = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var worker = await Given.WorkerAsync(round + 1);
            var row = Assert.Single(await IssueBatchThroughAsync(Grains, "directed", $"job-{round}", [new BulkIssueItem(1, worker, Ecommerce, null, "SCHOOL1", null)]));
            var code = row.VoucherCode ?? throw new InvalidOperationException($"Round {round}: {row.Rejection?.Code}");
            codes.Add(code);
            await InBothAsync(engines, async engine =>
            {
                Assert.Equal(VoucherStatus.Issued, (await engine.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow().Status);
                await engine.GetGrain<IWorkerGrain>(worker).GetAsync();
            });

            var (first, second) = await RaceAsync(
                () => engines[round % 2].GetGrain<IVoucherGrain>(code).ClaimAsync(worker),
                () => engines[(round + 1) % 2].GetGrain<IVoucherGrain>(code).ClaimAsync(worker));

            AssertOneWon(round, first, second, RejectionCode.AlreadyClaimed);
        }

        await RestartAsync();
        foreach (var code in codes)
        {
            Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(code)).Status);
        }

        Assert.Equal(Rounds, await ClaimedAsync("directed"));
        await Invariants.AssertStatisticsExactAsync(Grains, "directed", codes);
    }

    [Fact]
    public async Task R13_a_rollback_through_one_engine_racing_a_check_in_through_the_other_either_releases_the_enrolment_or_keeps_it()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");

        // Check-in opens half an hour before the first session; a verification is rolled back until it starts.
        var classKey = await Given.ClassAsync("SCHOOL1", "C1", startsIn: TimeSpan.FromMinutes(20));
        await using var other = await StartAnotherSiloAsync();
        IGrainFactory[] engines = [Grains, other.Grains];
        var enrolled = new List<(string Code, string Worker)>();
        for (var round = 0; round < Rounds; round++)
        {
            var worker = await Given.WorkerAsync(round + 1);
            var code = await ClaimedThroughAsync(engines[round % 2], worker, "general");
            enrolled.Add((code, worker));
            Ok(await VerifyThroughAsync(engines[round % 2], "SCHOOL1", code, worker, "C1"));
            await ActivatedInBothAsync(engines, code, worker);

            // Every pairing: the engine that verified rolls back or checks in, and so does the other.
            var rollingBack = engines[round / 2 % 2];
            var checkingIn = engines[(round / 2 + 1) % 2];
            var (rollback, checkIn) = await RaceAsync(
                () => rollingBack.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(code, "enrolled in the wrong class"),
                () => checkingIn.GetGrain<IClassGrain>(classKey).CheckInAsync(new CheckInRequest(worker, 0, Site)));

            Assert.False(rollback.IsSuccess && checkIn.IsSuccess, $"Round {round}: the verification was rolled back and the trainee checked in.");
            Assert.True(rollback.IsSuccess || rollback.Rejection is RejectionCode.ClassStarted or RejectionCode.ConcurrentOperation, $"Round {round}: {rollback.Rejection}");
            Assert.True(checkIn.IsSuccess || checkIn.Rejection is RejectionCode.NotEnrolled or RejectionCode.ConcurrentOperation, $"Round {round}: {checkIn.Rejection}");
        }

        await RestartAsync();
        await AssertEnrolledExactlyWhenActivatedAsync(classKey, enrolled);
    }

    [Fact]
    public async Task R10_a_rollback_through_one_engine_racing_a_verification_of_another_voucher_through_the_other_never_leaves_two_slots()
    {
        var classKey = await OneActivationAYearAsync();
        await using var other = await StartAnotherSiloAsync();
        IGrainFactory[] engines = [Grains, other.Grains];
        var enrolled = new List<(string Code, string Worker)>();
        var codes = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var worker = await Given.WorkerAsync(round + 1);
            var first = await ClaimedThroughAsync(engines[round % 2], worker, "first");
            var second = await ClaimedThroughAsync(engines[round % 2], worker, "second");
            enrolled.Add((first, worker));
            codes.AddRange([first, second]);
            Ok(await VerifyThroughAsync(engines[round % 2], "SCHOOL1", first, worker, "C1"));
            await ActivatedInBothAsync(engines, first, worker);

            var rollingBack = engines[round / 2 % 2];
            var verifying = engines[(round / 2 + 1) % 2];
            var (rollback, verification) = await RaceAsync(
                () => rollingBack.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(first, "enrolled in the wrong class"),
                () => VerifyThroughAsync(verifying, "SCHOOL2", second, worker, "C2"));

            // The second voucher is activated only in the slot the rollback released.
            Assert.True(rollback.IsSuccess || !verification.IsSuccess, $"Round {round}: a second voucher was activated in the year while the first still held its slot.");
            Assert.True(rollback.IsSuccess || rollback.Rejection == RejectionCode.ConcurrentOperation, $"Round {round}: {rollback.Rejection}");
            Assert.True(verification.IsSuccess || verification.Rejection is RejectionCode.YearlyLimitReached or RejectionCode.ConcurrentOperation, $"Round {round}: {verification.Rejection}");
        }

        await RestartAsync();
        foreach (var (_, worker) in enrolled)
        {
            Assert.True((await Given.WorkerViewAsync(worker)).Slots.Count <= 1);
        }

        await Invariants.AssertConsistentAsync(Grains, codes);
        await AssertEnrolledExactlyWhenActivatedAsync(classKey, enrolled);
    }

    [Fact]
    public async Task R16_a_settlement_claim_through_one_engine_racing_a_revocation_through_the_other_leaves_no_claim_on_a_revoked_voucher()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("face", General(Fujian));
        await using var other = await StartAnotherSiloAsync();
        var codes = new List<string>();
        for (var round = 0; round < Rounds / 2; round++)
        {
            var code = await Given.CompletedAsync("face", await Given.WorkerAsync(round + 1), $"C{round}");
            codes.Add(code);

            // Completing moved the clock past the activation age: the engines are read here, just before the race.
            IGrainFactory[] engines = [Grains, other.Grains];
            await InBothAsync(engines, async engine =>
            {
                Assert.Equal(VoucherStatus.Completed, (await engine.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow().Status);
                await engine.GetGrain<IInstitutionGrain>("SCHOOL1").GetAsync();
            });

            var (claim, revocation) = await RaceAsync(
                () => RetriedAsync(() => engines[round % 2].GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole))),
                () => RetriedAsync(() => engines[(round + 1) % 2].GetGrain<IVoucherGrain>(code).RevokeAsync("attendance was faked")));

            Ok(revocation);
            Assert.True(claim.IsSuccess || claim.Rejection is RejectionCode.VoucherRevoked or RejectionCode.ConcurrentOperation, $"Round {round}: {claim.Rejection}");
        }

        await RestartAsync();
        foreach (var code in codes)
        {
            var voucher = await Given.VoucherAsync(code);
            Assert.Equal(VoucherStatus.Revoked, voucher.Status);
            Assert.DoesNotContain(voucher.Settlement, p => p.Status is SettlementStatus.Claimed or SettlementStatus.Approved);
        }

        await Invariants.AssertStatisticsExactAsync(Grains, "face", codes);
        Assert.Equal(0, (await Grains.GetGrain<ICampaignStatisticsGrain>("face").RecountAsync()).PendingSettlementFen);
    }

    /// <summary>
    /// Rounds of two claims by one new worker at once, one through each engine (which engine claims which
    /// campaign swaps each round), both engines holding the worker: exactly one is issued, the other is
    /// refused with <paramref name="refusal"/> or told to retry. Returns the workers.
    /// </summary>
    private async Task<List<string>> RaceClaimsAsync(IGrainFactory[] engines, string firstCampaign, string secondCampaign, RejectionCode refusal)
    {
        var workers = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var worker = await Given.WorkerAsync(round + 1);
            workers.Add(worker);
            await InBothAsync(engines, engine => engine.GetGrain<IWorkerGrain>(worker).GetAsync());

            var (first, second) = await RaceAsync(
                () => ClaimThroughAsync(engines[round % 2], worker, firstCampaign),
                () => ClaimThroughAsync(engines[(round + 1) % 2], worker, secondCampaign));

            AssertOneWon(round, first, second, refusal);
        }

        return workers;
    }

    /// <summary>Exactly one of two racing calls succeeded; the other was refused with <paramref name="refusal"/> or told to retry.</summary>
    private static void AssertOneWon<T>(int round, Result<T> first, Result<T> second, RejectionCode refusal)
    {
        Assert.True(first.IsSuccess != second.IsSuccess, $"Round {round}: {first.Rejection?.ToString() ?? "succeeded"}, {second.Rejection?.ToString() ?? "succeeded"}.");
        Assert.Contains((first.IsSuccess ? second : first).Rejection, new RejectionCode?[] { refusal, RejectionCode.ConcurrentOperation });
    }

    /// <summary>
    /// Shaoxing's one activation a year (R10), in force in Fujian: two open general campaigns, and a class
    /// of a different occupation at each of two institutions; returns the first class's key.
    /// </summary>
    private async Task<string> OneActivationAYearAsync()
    {
        await Given.RegionAsync(Fujian, RegionPolicy.Shaoxing);
        await Given.CampaignAsync("first", General(Fujian));
        await Given.CampaignAsync("second", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        await Given.InstitutionAsync("SCHOOL2");
        await Given.ClassAsync("SCHOOL2", "C2", Electrician);
        return await Given.ClassAsync("SCHOOL1", "C1", Ecommerce);
    }

    /// <summary>Both calls at once, as two clients of two engines.</summary>
    private static async Task<(T1, T2)> RaceAsync<T1, T2>(Func<Task<T1>> first, Func<Task<T2>> second)
    {
        var one = Task.Run(first);
        var two = Task.Run(second);
        return (await one, await two);
    }

    /// <summary>Reads through each engine, which activates there what the read touches, as it stands now.</summary>
    private static async Task InBothAsync(IGrainFactory[] engines, Func<IGrainFactory, Task> read)
    {
        foreach (var engine in engines)
        {
            await read(engine);
        }
    }

    /// <summary>
    /// A voucher claimed and verified through one engine, read through both: each holds the voucher
    /// activated, and its worker as it last saw it.
    /// </summary>
    private static Task ActivatedInBothAsync(IGrainFactory[] engines, string code, string worker) =>
        InBothAsync(engines, async engine =>
        {
            Assert.Equal(VoucherStatus.Activated, (await engine.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow().Status);
            await engine.GetGrain<IWorkerGrain>(worker).GetAsync();
        });

    private static async Task<string> ClaimedThroughAsync(IGrainFactory engine, string citizenId, string campaignId) =>
        (await ClaimThroughAsync(engine, citizenId, campaignId)).GetValueOrThrow().VoucherCode;

    /// <summary>A call retried while it meets another in progress, as a client retries a 409, until it is decided.</summary>
    private static async Task<Result<T>> DecidedAsync<T>(Func<Task<Result<T>>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 100, "The call was never decided.");
            var result = await call();
            if (result.Rejection != RejectionCode.ConcurrentOperation)
            {
                return result;
            }
        }
    }

    /// <summary>One batch of a job at the campaign's first issuer, through <paramref name="engine"/>.</summary>
    private static Task<IReadOnlyList<BulkIssueResult>> IssueBatchThroughAsync(IGrainFactory engine, string campaignId, string jobId, IReadOnlyList<BulkIssueItem> items) =>
        engine.GetGrain<IBulkIssuer>(CampaignIssuers.KeyFor(campaignId, 0)).IssueBatchAsync(new BulkIssueBatch(jobId, items));

    /// <summary>A job's batch, its rows to retry sent again (as the job's runner does) until every row is decided.</summary>
    private static async Task<List<BulkIssueResult>> IssueUntilDecidedAsync(IGrainFactory engine, string campaignId, string jobId, IReadOnlyList<BulkIssueItem> items)
    {
        var decided = new List<BulkIssueResult>();
        for (var attempt = 0; items.Count > 0; attempt++)
        {
            Assert.True(attempt < 100, "The batch was never decided.");
            var results = await IssueBatchThroughAsync(engine, campaignId, jobId, items);
            decided.AddRange(results.Where(r => !r.Retry));
            var retry = results.Where(r => r.Retry).Select(r => r.RowNumber).ToHashSet();
            items = [.. items.Where(i => retry.Contains(i.RowNumber))];
        }

        return decided;
    }

    /// <summary>General rows for workers the engine has not seen, each naming the worker's attributes.</summary>
    private static BulkIssueItem[] Rows(params string[] citizenIds) =>
        [.. citizenIds.Select((id, i) => new BulkIssueItem(i + 1, id, null, null, null, new WorkerAttributes { Name = $"Worker {id}" }))];

    private async Task<long> ClaimedAsync(string campaignId) => (await Grains.GetGrain<ICampaignStatisticsGrain>(campaignId).RecountAsync()).Claimed;

    /// <summary>R7: no worker holds more than one valid, unused voucher, on the worker and on the vouchers themselves.</summary>
    private async Task AssertOneLiveVoucherEachAsync(IEnumerable<string> workers)
    {
        foreach (var worker in workers)
        {
            var live = 0;
            foreach (var held in (await Given.WorkerViewAsync(worker)).Vouchers)
            {
                live += (await Given.VoucherAsync(held.Code)).Status is VoucherStatus.Issued or VoucherStatus.Claimed or VoucherStatus.Activated ? 1 : 0;
            }

            Assert.True(live <= 1, $"Worker {worker} holds {live} live vouchers.");
        }
    }

    /// <summary>A trainee is on the class's roster exactly while the voucher is activated for it, and each activated voucher holds its slot.</summary>
    private async Task AssertEnrolledExactlyWhenActivatedAsync(string classKey, IReadOnlyList<(string Code, string Worker)> enrolled)
    {
        var schoolClass = (await Grains.GetGrain<IClassGrain>(classKey).GetAsync())!;
        foreach (var (code, worker) in enrolled)
        {
            var voucher = await Given.VoucherAsync(code);
            var activatedHere = voucher.Status == VoucherStatus.Activated && voucher.ClassKey == classKey;
            Assert.True(activatedHere == schoolClass.Trainees.Contains(worker), $"Voucher {code} is {voucher.Status}; its holder is {(schoolClass.Trainees.Contains(worker) ? "" : "not ")}on the roster of {classKey}.");
        }

        await Invariants.AssertConsistentAsync(Grains, enrolled.Select(e => e.Code));
    }
}
