using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Bulk;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Api.Tests.Durability;

/// <summary>
/// A claim the API answered 201 is durable: an engine killed with SIGKILL in the middle of a claim storm
/// on a campaign of limited stock loses none of the claims it acknowledged, and the engine started after
/// it on the same PostgreSQL goes on from what was stored — when every worker has tried, the stock is
/// exactly used up: never exceeded, none of it lost with the engine that held it, one voucher per worker.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClaimStormKillNineTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private const string Campaign = "storm";
    private const int Stock = 300;
    private const int Workers = 600;
    private const int KillAfterClaims = 100;
    private const int InFlight = 32;

    /// <summary>What a SIGKILLed process exits with: 128 + 9.</summary>
    private const int KilledBySigkill = 137;

    [Fact]
    public async Task Every_claim_acknowledged_before_kill_9_survives_and_the_stock_is_used_up_exactly()
    {
        var connectionString = await fixture.CreateDatabaseAsync("claim_kill9");
        var (authority, workers) = await PrepareAsync(connectionString);
        var settings = new Dictionary<string, string>
        {
            ["Silo:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:PostgreSql"] = connectionString,

            // The authority reads every worker after the storm, faster than one caller may.
            ["Api:RateLimiting:PerCaller:TokenLimit"] = "100000",
            ["Api:RateLimiting:PerCaller:TokensPerPeriod"] = "100000",
        };

        // The storm, until the engine has acknowledged enough claims to be killed in the middle of it.
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        int unanswered;
        await using (var engine = await EngineProcess.StartAsync(settings))
        {
            var storm = new Storm(engine.Address, acknowledged, KillAfterClaims);
            var claims = storm.RunAsync(workers);
            await storm.Threshold.Task.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(KilledBySigkill, await engine.KillAsync());
            await claims;
            unanswered = storm.Unanswered;
        }

        Assert.True(unanswered > 0, "No claim was in flight when the engine was killed.");
        var atKill = acknowledged.ToDictionary();
        output.WriteLine($"Killed after {atKill.Count} acknowledged claims, with {unanswered} unanswered.");

        await using (var engine = await EngineProcess.StartAsync(settings))
        {
            using var client = engine.Client(authority);

            // Every acknowledged claim is there, as it was answered.
            foreach (var (citizen, code) in atKill)
            {
                var held = Assert.Single((await WorkerAsync(client, citizen)).Vouchers);
                Assert.Equal((code, Campaign, VoucherStatus.Claimed), (held.Code, held.CampaignId, held.Status));
            }

            // Every other worker tries (again), as a client told nothing would.
            var storm = new Storm(engine.Address, acknowledged, threshold: null);
            await storm.RunAsync(workers.Where(w => !atKill.ContainsKey(w.Citizen)).ToList());
            Assert.Equal(0, storm.Unanswered);

            // The stock is used up exactly: each unit claimed once, by one worker, none lost.
            var holders = 0;
            foreach (var (citizen, _) in workers)
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
            var statistics = await client.GetFromJsonAsync<VoucherStatistics>($"/api/v1/campaigns/{Campaign}/statistics", BulkScenario.Json);
            var recount = await client.GetFromJsonAsync<VoucherStatistics>($"/api/v1/campaigns/{Campaign}/statistics?recount=true", BulkScenario.Json);
            Assert.Equal((Stock, Stock), (statistics!.Claimed, recount!.Claimed));
            Assert.Equal(statistics.Current, recount.Current);
            var allocated = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/campaigns/{Campaign}")).GetProperty("allocatedQuantity").GetInt32();
            Assert.True(allocated <= Stock, $"{allocated} allocated of {Stock}.");
        }
    }

    /// <summary>The province, a general campaign of <see cref="Stock"/> and <see cref="Workers"/> registered workers; an authority's token and each worker's.</summary>
    private static async Task<(string Authority, List<(string Citizen, string Token)> Workers)> PrepareAsync(string connectionString)
    {
        var now = DateTimeOffset.UtcNow;
        await using var setup = new EngineFactory(EngineFactory.PostgreSqlSettings(connectionString));
        await BulkScenario.RegionAsync(setup.Grains, now);
        await BulkScenario.CampaignAsync(setup.Grains, Campaign, now, IssuanceMode.General, quantity: Stock);
        var workers = new List<(string, string)>();
        foreach (var citizen in Enumerable.Range(0, Workers).Select(BulkScenario.Citizen))
        {
            var registered = await setup.Grains.GetGrain<IWorkerGrain>(citizen).RegisterAsync(new WorkerAttributes
            {
                Name = "张三",
                HouseholdRegion = BulkScenario.District,
                UnemploymentInsurance = [new InsuranceRecord(BulkScenario.District, 40)],
            });
            Assert.True(registered.IsSuccess, registered.Detail);
            workers.Add((citizen, setup.Token(Roles.Worker, citizen, lifetime: TimeSpan.FromHours(2))));
        }

        return (setup.Token(Roles.Authority, "hr-fujian", BulkScenario.Province, TimeSpan.FromHours(2)), workers);
    }

    private static async Task<WorkerView> WorkerAsync(HttpClient client, string citizen) =>
        (await client.GetFromJsonAsync<WorkerView>($"/api/v1/workers/{citizen}", BulkScenario.Json))!;

    /// <summary>
    /// Workers claiming the campaign, <see cref="InFlight"/> at a time, each once. A 201 is recorded as
    /// acknowledged; sold out and already holding are answers too; a request the engine never answered
    /// (it was killed) is counted as unanswered, and no more are sent after one.
    /// </summary>
    private sealed class Storm(Uri address, ConcurrentDictionary<string, string> acknowledged, int? threshold)
    {
        private int _unanswered;

        /// <summary>Completed once <c>threshold</c> claims are acknowledged.</summary>
        public TaskCompletionSource Threshold { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Requests sent and never answered.</summary>
        public int Unanswered => Volatile.Read(ref _unanswered);

        public async Task RunAsync(IReadOnlyList<(string Citizen, string Token)> workers)
        {
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
            var queue = new ConcurrentQueue<(string Citizen, string Token)>(workers);
            await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
            {
                while (Unanswered == 0 && queue.TryDequeue(out var worker))
                {
                    await ClaimAsync(http, worker.Citizen, worker.Token);
                }
            }));
        }

        private async Task ClaimAsync(HttpClient http, string citizen, string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/campaigns/{Campaign}/claims")
            {
                Content = JsonContent.Create(new { citizenId = citizen }),
            };
            request.Headers.Authorization = new("Bearer", token);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _unanswered);
                return;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var receipt = (await response.Content.ReadFromJsonAsync<ClaimReceipt>(BulkScenario.Json))!;
                    Assert.True(acknowledged.TryAdd(citizen, receipt.VoucherCode), $"{citizen} was acknowledged twice.");
                    if (acknowledged.Count >= threshold)
                    {
                        Threshold.TrySetResult();
                    }

                    return;
                }

                var body = await response.Content.ReadAsStringAsync();
                var code = response.StatusCode == HttpStatusCode.Conflict ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString() : null;
                Assert.True(code is "stock-exhausted" or "live-voucher-held", $"{citizen}: {(int)response.StatusCode} {body}");
            }
        }
    }
}
