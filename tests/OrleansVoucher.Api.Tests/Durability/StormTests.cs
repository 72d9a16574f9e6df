using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Bulk;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Api.Tests.Durability;

/// <summary>
/// What the API answered 201 is durable: an engine killed with SIGKILL in the middle of a storm of
/// requests loses none of the changes it acknowledged, and the engine started after it on the same
/// PostgreSQL goes on from what was stored. A claim storm on a campaign of limited stock ends, once
/// every worker has tried, with the stock used up exactly — never exceeded, none of it lost with the
/// engine that held it, one voucher per worker. A verification storm, whose every activation writes the
/// voucher, its holder's yearly slot and the class in one unit, ends with each of them whole. And a claim
/// storm through two engines at once, each worker claiming through both, ends the same way.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StormTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private const string Campaign = "storm";
    private const string ClassCode = "STORM-1";
    private const int Stock = 300;
    private const int KillAfter = 100;
    private const int InFlight = 32;

    /// <summary>What a SIGKILLed process exits with: 128 + 9.</summary>
    private const int KilledBySigkill = 137;

    [Fact]
    public async Task Every_claim_acknowledged_before_kill_9_survives_and_the_stock_is_used_up_exactly()
    {
        var connectionString = await fixture.CreateDatabaseAsync("claim_kill9");
        var world = await World.PrepareAsync(connectionString, workers: 2 * Stock, claimed: false);
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        var atKill = await StormUntilKilledAsync(world, http => worker => ClaimAsync(http, worker, acknowledged), acknowledged);

        await using var engine = await EngineProcess.StartAsync(world.Settings);
        using var client = engine.Client(world.Authority);

        // Every acknowledged claim is there, as it was answered.
        foreach (var (citizen, code) in atKill)
        {
            var held = Assert.Single((await WorkerAsync(client, citizen)).Vouchers);
            Assert.Equal((code, Campaign, VoucherStatus.Claimed), (held.Code, held.CampaignId, held.Status));
        }

        // Every other worker tries (again), as a client told nothing would.
        using var http = new HttpClient { BaseAddress = engine.Address };
        var rest = world.Workers.Where(w => !atKill.ContainsKey(w.Citizen)).ToList();
        Assert.Equal(0, await new Storm(threshold: null).RunAsync(rest, worker => ClaimAsync(http, worker, acknowledged)));

        await AssertStockUsedUpExactlyAsync(client, world, acknowledged);
    }

    [Fact]
    public async Task Claims_through_two_engines_at_once_never_exceed_the_stock_nor_strand_any_of_it()
    {
        var connectionString = await fixture.CreateDatabaseAsync("claim_two_engines");
        var world = await World.PrepareAsync(connectionString, workers: 2 * Stock, claimed: false);
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await using var first = await EngineProcess.StartAsync(world.Settings);
        await using var second = await EngineProcess.StartAsync(world.Settings);
        using var toFirst = new HttpClient { BaseAddress = first.Address };
        using var toSecond = new HttpClient { BaseAddress = second.Address };

        // Each worker claims through both engines at once: the two engines' activations of the same
        // issuers, workers and campaign race for the same stock and the same worker.
        Assert.Equal(0, await new Storm(threshold: null).RunAsync(world.Workers, async worker =>
        {
            var answers = await Task.WhenAll(
                ClaimAsync(toFirst, worker, acknowledged, RaceLost),
                ClaimAsync(toSecond, worker, acknowledged, RaceLost));
            return answers.Any(a => a);
        }));

        // Those without a voucher try again, through either engine, as clients told to retry would.
        for (var round = 0; round < 5; round++)
        {
            var rest = world.Workers.Where(w => !acknowledged.ContainsKey(w.Citizen)).ToList();
            var index = 0;
            await new Storm(threshold: null).RunAsync(rest, worker => ClaimAsync(Interlocked.Increment(ref index) % 2 == 0 ? toFirst : toSecond, worker, acknowledged, RaceLost));
        }

        // Read through one of the two: a worker's view shows the claim the other engine won.
        using var client = first.Client(world.Authority);
        await AssertStockUsedUpExactlyAsync(client, world, acknowledged);
    }

    [Fact]
    public async Task Every_activation_acknowledged_before_kill_9_survives_whole_with_its_slot_and_its_place_in_the_class()
    {
        var connectionString = await fixture.CreateDatabaseAsync("activate_kill9");
        var world = await World.PrepareAsync(connectionString, workers: Stock, claimed: true);
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        Task<bool> VerifyAsync(HttpClient http, (string Citizen, string Token) worker) => SendAsync(
            http, world.Institution, $"/api/v1/institutions/{BulkScenario.Institution}/verifications",
            new { voucherCode = world.Vouchers[worker.Citizen], presenterCitizenId = worker.Citizen, classCode = ClassCode },
            acknowledged, worker.Citizen);

        var atKill = await StormUntilKilledAsync(world, http => worker => VerifyAsync(http, worker), acknowledged);

        await using var engine = await EngineProcess.StartAsync(world.Settings);
        using var client = engine.Client(world.Authority);
        foreach (var (citizen, _) in atKill)
        {
            AssertActivated(await WorkerAsync(client, citizen), world.Vouchers[citizen]);
        }

        // Every other voucher is presented (again): one the killed engine activated unanswered is
        // answered 200 with its receipt, the others are activated now.
        using var http = new HttpClient { BaseAddress = engine.Address };
        var rest = world.Workers.Where(w => !atKill.ContainsKey(w.Citizen)).ToList();
        Assert.Equal(0, await new Storm(threshold: null).RunAsync(rest, worker => VerifyAsync(http, worker)));
        Assert.Equal(rest.Count, acknowledged.Count - atKill.Count);

        // Every voucher is activated once, with its holder's slot, and the class has each trainee once.
        foreach (var (citizen, _) in world.Workers)
        {
            AssertActivated(await WorkerAsync(client, citizen), world.Vouchers[citizen]);
        }

        using var institutionClient = engine.Client(world.Institution);
        var trainees = (await institutionClient.GetFromJsonAsync<ClassView>($"/api/v1/institutions/{BulkScenario.Institution}/classes/{ClassCode}", BulkScenario.Json))!.Trainees;
        Assert.Equal(world.Workers.Select(w => w.Citizen).Order(StringComparer.Ordinal), trainees.Order(StringComparer.Ordinal));
        Assert.Equal(Stock, (await StatisticsAsync(client)).Activated);
    }

    /// <summary>What a claim racing another for the same worker or stock may also be told: try again.</summary>
    private static readonly string[] RaceLost = ["concurrent-operation"];

    /// <summary>
    /// Starts an engine, storms it with <paramref name="send"/> over the world's workers and kills it with
    /// SIGKILL once it has acknowledged <see cref="KillAfter"/>; returns what it had acknowledged.
    /// </summary>
    private async Task<Dictionary<string, string>> StormUntilKilledAsync(
        World world, Func<HttpClient, Func<(string Citizen, string Token), Task<bool>>> send, ConcurrentDictionary<string, string> acknowledged)
    {
        await using var engine = await EngineProcess.StartAsync(world.Settings);
        using var http = new HttpClient { BaseAddress = engine.Address };
        var storm = new Storm(KillAfter);
        var requests = storm.RunAsync(world.Workers, send(http));
        await storm.Threshold.Task.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(KilledBySigkill, await engine.KillAsync());
        var unanswered = await requests;
        Assert.True(unanswered > 0, "No request was in flight when the engine was killed.");
        output.WriteLine($"Killed after {acknowledged.Count} acknowledged, with {unanswered} unanswered.");
        return acknowledged.ToDictionary();
    }

    /// <summary>The worker claims a general voucher of the campaign.</summary>
    private static Task<bool> ClaimAsync(HttpClient http, (string Citizen, string Token) worker, ConcurrentDictionary<string, string> acknowledged, params string[] alsoRefused) =>
        SendAsync(http, worker.Token, $"/api/v1/campaigns/{Campaign}/claims", new { citizenId = worker.Citizen }, acknowledged, worker.Citizen, ["stock-exhausted", "budget-exhausted", "live-voucher-held", "already-claimed", .. alsoRefused]);

    /// <summary>
    /// After every worker has tried: the stock is used up exactly — each unit claimed once, by one worker,
    /// none lost — each acknowledged claim is the voucher its worker holds, and the indicators agree.
    /// </summary>
    private static async Task AssertStockUsedUpExactlyAsync(HttpClient client, World world, ConcurrentDictionary<string, string> acknowledged)
    {
        var holders = 0;
        foreach (var (citizen, _) in world.Workers)
        {
            var vouchers = (await WorkerAsync(client, citizen)).Vouchers;
            Assert.True(vouchers.Count <= 1, $"{citizen} holds {vouchers.Count} vouchers.");
            holders += vouchers.Count;
            if (acknowledged.TryGetValue(citizen, out var code))
            {
                Assert.Equal(code, Assert.Single(vouchers).Code);
            }
        }

        Assert.Equal(Stock, holders);
        Assert.Equal(Stock, (await StatisticsAsync(client)).Claimed);
        var allocated = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/campaigns/{Campaign}")).GetProperty("allocatedQuantity").GetInt32();
        Assert.True(allocated <= Stock, $"{allocated} allocated of {Stock}.");
    }

    /// <summary>
    /// Sends one request as <paramref name="token"/>. A 201 (or the 200 that repeats a done verification)
    /// records <paramref name="citizen"/>'s voucher as acknowledged — a second answer for the same citizen
    /// must name the same voucher — and is true; a 409 with one of <paramref name="refusals"/> is false;
    /// anything else fails the test. An unanswered request throws.
    /// </summary>
    private static async Task<bool> SendAsync(
        HttpClient http, string token, string path, object body, ConcurrentDictionary<string, string> acknowledged, string citizen, params string[] refusals)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
        {
            var code = JsonDocument.Parse(answer).RootElement.GetProperty("voucherCode").GetString()!;
            Assert.Equal(code, acknowledged.GetOrAdd(citizen, code));
            return true;
        }

        var refusal = response.StatusCode == HttpStatusCode.Conflict ? JsonDocument.Parse(answer).RootElement.GetProperty("code").GetString() : null;
        Assert.True(refusal is not null && refusals.Contains(refusal), $"{citizen}: {(int)response.StatusCode} {answer}");
        return false;
    }

    private static void AssertActivated(WorkerView worker, string code)
    {
        var held = Assert.Single(worker.Vouchers);
        Assert.Equal((code, VoucherStatus.Activated), (held.Code, held.Status));
        var slot = Assert.Single(worker.Slots);
        Assert.Equal((BulkScenario.Nursery, code), (slot.OccupationCode, slot.VoucherCode));
    }

    private static async Task<WorkerView> WorkerAsync(HttpClient client, string citizen) =>
        (await client.GetFromJsonAsync<WorkerView>($"/api/v1/workers/{citizen}", BulkScenario.Json))!;

    /// <summary>The campaign's indicators, checked against their recount from the first event.</summary>
    private static async Task<VoucherStatistics> StatisticsAsync(HttpClient client)
    {
        var statistics = (await client.GetFromJsonAsync<VoucherStatistics>($"/api/v1/campaigns/{Campaign}/statistics", BulkScenario.Json))!;
        var recount = (await client.GetFromJsonAsync<VoucherStatistics>($"/api/v1/campaigns/{Campaign}/statistics?recount=true", BulkScenario.Json))!;
        Assert.Equal((statistics.Claimed, statistics.Activated, statistics.Current), (recount.Claimed, recount.Activated, recount.Current));
        return statistics;
    }

    /// <summary>
    /// The province, its institution with a class starting in ten days, a general campaign of
    /// <see cref="Stock"/>, registered workers (holding a claimed voucher each, when asked), and tokens:
    /// the authority's, the institution's and each worker's. Set up through an engine in this process
    /// that is gone when it returns.
    /// </summary>
    private sealed record World(
        Dictionary<string, string> Settings, string Authority, string Institution, List<(string Citizen, string Token)> Workers, Dictionary<string, string> Vouchers)
    {
        public static async Task<World> PrepareAsync(string connectionString, int workers, bool claimed)
        {
            var now = DateTimeOffset.UtcNow;
            await using var setup = new EngineFactory(EngineFactory.PostgreSqlSettings(connectionString));
            var grains = setup.Grains;
            await BulkScenario.RegionAsync(grains, now);
            await BulkScenario.CampaignAsync(grains, Campaign, now, IssuanceMode.General, quantity: Stock);
            var start = now.AddDays(10);
            var registered = await grains.GetGrain<IInstitutionGrain>(BulkScenario.Institution).RegisterClassAsync(
                new ClassRegistration(ClassCode, BulkScenario.Nursery, null, [new SessionPlan(start, start.AddHours(2), SessionMode.Offline)]));
            Assert.True(registered.IsSuccess, registered.Detail);

            var people = new List<(string, string)>();
            var vouchers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var citizen in Enumerable.Range(0, workers).Select(BulkScenario.Citizen))
            {
                var worker = await grains.GetGrain<IWorkerGrain>(citizen).RegisterAsync(new WorkerAttributes
                {
                    Name = "张三",
                    HouseholdRegion = BulkScenario.District,
                    UnemploymentInsurance = [new InsuranceRecord(BulkScenario.District, 40)],
                });
                Assert.True(worker.IsSuccess, worker.Detail);
                if (claimed)
                {
                    var claim = await grains.GetGrain<ICampaignIssuerGrain>(CampaignIssuers.KeyFor(Campaign, citizen, 4)).ClaimAsync(new ClaimRequest(citizen));
                    vouchers[citizen] = claim.GetValueOrThrow().VoucherCode;
                }

                people.Add((citizen, setup.Token(Roles.Worker, citizen, lifetime: TimeSpan.FromHours(2))));
            }

            var settings = new Dictionary<string, string>
            {
                ["Silo:Storage:Provider"] = "PostgreSql",
                ["ConnectionStrings:PostgreSql"] = connectionString,

                // One institution verifies, and the authority reads every worker afterwards, faster than one caller may.
                ["Api:RateLimiting:PerCaller:TokenLimit"] = "100000",
                ["Api:RateLimiting:PerCaller:TokensPerPeriod"] = "100000",
                ["Api:RateLimiting:Verification:TokenLimit"] = "100000",
                ["Api:RateLimiting:Verification:TokensPerPeriod"] = "100000",
            };
            return new World(
                settings,
                setup.Token(Roles.Authority, "hr-fujian", BulkScenario.Province, TimeSpan.FromHours(2)),
                setup.Token(Roles.Institution, BulkScenario.Institution, lifetime: TimeSpan.FromHours(2)),
                people,
                vouchers);
        }
    }

    /// <summary>
    /// Requests sent <see cref="InFlight"/> at a time, one per worker. Once one goes unanswered (an
    /// engine was killed) no more are sent; <see cref="RunAsync"/> answers how many went unanswered.
    /// </summary>
    private sealed class Storm(int? threshold)
    {
        private int _acknowledged;
        private int _unanswered;

        /// <summary>Completed once <c>threshold</c> requests are acknowledged.</summary>
        public TaskCompletionSource Threshold { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<int> RunAsync(IReadOnlyList<(string Citizen, string Token)> workers, Func<(string Citizen, string Token), Task<bool>> send)
        {
            var queue = new ConcurrentQueue<(string Citizen, string Token)>(workers);
            await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
            {
                while (Volatile.Read(ref _unanswered) == 0 && queue.TryDequeue(out var worker))
                {
                    try
                    {
                        if (await send(worker) && Interlocked.Increment(ref _acknowledged) >= threshold)
                        {
                            Threshold.TrySetResult();
                        }
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref _unanswered);
                    }
                }
            }));
            return _unanswered;
        }
    }
}
