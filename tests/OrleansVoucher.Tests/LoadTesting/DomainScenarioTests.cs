using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Runner;
using OrleansVoucher.LoadTests.Scenarios;

namespace OrleansVoucher.Tests.LoadTesting;

/// <summary>
/// The domain scenarios run briefly (10 invocations in a second, no warm-up) against one engine started
/// by the load tests' own <see cref="LocalEngine"/> on SQLite: each passes with its invariants holding, and
/// each fails its run when something is changed behind its back before the invariant check — so the
/// checks can fail.
/// </summary>
[Collection(DomainEngine.Name)]
public sealed class DomainScenarioTests(DomainEngine engine)
{
    [Theory]
    [InlineData("verify")]
    [InlineData("activate")]
    [InlineData("check-in")]
    [InlineData("issue")]
    [InlineData("enrolment-day")]
    public async Task A_short_run_passes_with_every_invariant_holding(string name)
    {
        var result = await engine.RunAsync(name);

        Assert.Empty(result.CleanFailures);
        Assert.StartsWith($"{name}: invariants hold (", Assert.Single(result.CleanPasses), StringComparison.Ordinal);
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(10, scenario.Requests);
        Assert.Equal(0, scenario.Fail);
        Assert.True(result.Passed);
    }

    [Fact]
    public async Task Verify_reports_the_scans_it_made_and_names_the_vouchers_it_seeded_as_seeded()
    {
        // 10 scans in a second; the seeding plans for 20 vouchers, so half of them are never scanned.
        var logs = new RecordedLogs();

        var result = await engine.RunAsync("verify", loggers: logs);

        Assert.True(result.Passed);
        Assert.Equal("POST /api/v1/institutions/…/voucher-checks, round-robin over 20 seeded claimed vouchers at 8 institutions", Assert.Single(result.Scenarios).Description);
        var summary = Assert.Single(logs.Messages, m => m.StartsWith("invariants hold", StringComparison.Ordinal));
        Assert.StartsWith("invariants hold (10 scans of 10 of the 20 seeded vouchers; all 20 still claimed, activated 0;", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_fails_when_a_scanned_voucher_was_activated()
    {
        var result = await engine.RunAsync("verify", async world =>
        {
            var code = await engine.VoucherOfAsync(world, 0);
            Assert.True((await world.VerifyAsync(world.Institution(0), code, world.Citizen(0), DomainWorld.EnrolmentClass, CancellationToken.None)).IsOk);
        });

        var failure = Assert.Single(result.CleanFailures);
        Assert.StartsWith("verify: invariants broken: ", failure, StringComparison.Ordinal);
        Assert.Contains("scanning changed something", failure, StringComparison.Ordinal);
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task Activate_fails_when_a_voucher_was_activated_behind_its_back()
    {
        // 10 invocations use workers 0-9 of the 20 seeded; worker 19 is left claimed.
        var result = await engine.RunAsync("activate", async world =>
        {
            var code = await engine.VoucherOfAsync(world, 19);
            Assert.True((await world.VerifyAsync(world.Institution(3), code, world.Citizen(19), DomainWorld.EnrolmentClass, CancellationToken.None)).IsOk);
        });

        Assert.Contains(result.CleanFailures, f => f.Contains("activated; the scenario saw 10", StringComparison.Ordinal));
        Assert.Contains(result.CleanFailures, f => f.Contains("the scenario expected claimed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_in_fails_when_a_trainee_checked_in_behind_its_back()
    {
        // 10 invocations check in trainees 0-9 of the 20 enrolled; trainee 19 is enrolled at institution 19 mod 8.
        var result = await engine.RunAsync("check-in", async world =>
        {
            var institution = world.Institution(19 % 8);
            var token = await world.CheckInTokenAsync(institution, CancellationToken.None);
            Assert.True((await world.CheckInAsync(institution, 19, token, CancellationToken.None)).IsOk);
        });

        Assert.Contains(result.CleanFailures, f => f.Contains("attended [0]; the scenario expected []", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Issue_sells_its_campaign_out_by_default()
    {
        // 10 jobs of 100 rows against a stock of three quarters of them: the last rows are refused as sold out.
        var result = await engine.RunAsync("issue");

        Assert.True(result.Passed);
        Assert.Equal("issue: invariants hold (10 jobs, 750 issued + 250 rejected of 1000 rows, stock 750;", Assert.Single(result.CleanPasses).Split(" stock, budget")[0]);
    }

    [Fact]
    public async Task Issue_fails_when_vouchers_were_issued_behind_its_back()
    {
        // A stock the jobs leave some of, for the upload behind the scenario's back to take.
        var result = await engine.RunAsync("issue", settings: """{ "stock": 2000 }""", behindItsBack: async world =>
        {
            var (response, jobId) = await world.UploadAsync(50_000, 3, CancellationToken.None);
            Assert.True(response.IsOk, response.ToString());
            while ((await world.JobAsync(jobId!, CancellationToken.None)).GetProperty("status").GetString() is not ("completed" or "failed" or "cancelled"))
            {
                await Task.Yield();
            }
        });

        Assert.Contains(result.CleanFailures, f => f.Contains("claimed; the finished jobs issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enrolment_day_fails_when_a_worker_claimed_behind_its_back()
    {
        var result = await engine.RunAsync("enrolment-day", async world =>
        {
            var stranger = world.Citizen(90_000);
            await world.ExpectAsync(HttpMethod.Put, $"/api/v1/workers/{stranger}", world.Authority, new
            {
                name = "Stranger",
                unemploymentInsurance = new[] { new { regionCode = DomainWorld.District, months = 40 } },
                categories = Array.Empty<string>(),
                householdRegion = DomainWorld.District,
            }, CancellationToken.None);
            Assert.True((await world.ClaimAsync(90_000, _ => { }, CancellationToken.None)).IsOk);
        });

        Assert.Contains(result.CleanFailures, f => f.Contains("claimed;", StringComparison.Ordinal) && f.Contains("were seeded and the scenario saw", StringComparison.Ordinal));
    }
}

/// <summary>One engine for the domain scenario tests, started as the runner starts it without <c>--url</c>.</summary>
public sealed class DomainEngine : IAsyncLifetime
{
    public const string Name = "domain engine";

    private readonly HttpClient _http = LoadHttpClient.Create(256, TimeSpan.FromSeconds(30));
    private LocalEngine? _engine;

    public LocalEngine Engine => _engine ?? throw new InvalidOperationException("The engine has not started.");

    public async Task InitializeAsync() => _engine = await LocalEngine.StartAsync(new EngineOptions(), CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        _http.Dispose();
    }

    /// <summary>
    /// Runs the registered scenario at 10 a second for a second with no warm-up; when <paramref name="behindItsBack"/>
    /// is given, it acts on the scenario's world after the load and before the invariant check.
    /// </summary>
    public Task<RunResult> RunAsync(string name, Func<DomainWorld, Task>? behindItsBack = null, ILoggerFactory? loggers = null, string? settings = null) =>
        RunAsync(name, Engine.Address, behindItsBack, loggers, settings);

    /// <summary>As <see cref="RunAsync(string, Func{DomainWorld, Task}?, ILoggerFactory?, string?)"/>, against the engine at <paramref name="target"/>; <paramref name="settings"/> are the scenario's, as a suite file's JSON object.</summary>
    public async Task<RunResult> RunAsync(string name, Uri target, Func<DomainWorld, Task>? behindItsBack = null, ILoggerFactory? loggers = null, string? settings = null)
    {
        var registry = new ScenarioRegistry();
        new DomainScenarios().Register(registry);
        Assert.True(registry.TryGet(name, out var registration));
        var runSettings = new RunSettings { TargetUrl = target, Rate = 10, Duration = TimeSpan.FromSeconds(1), WarmUp = TimeSpan.Zero };
        using var scenarioSettings = settings is null ? null : JsonDocument.Parse(settings);
        var scenario = registration.Create(new ScenarioFactoryContext(name, runSettings, _http, scenarioSettings?.RootElement.Clone(), NullLoggerFactory.Instance))
            .WithLoadSimulations([.. runSettings.LoadSimulations()!])
            .WithWarmUpDuration(TimeSpan.Zero);
        if (behindItsBack is not null)
        {
            var before = await CampaignsAsync(target);
            var check = scenario.Clean!;
            scenario = scenario.WithClean(async clean =>
            {
                var campaign = Assert.Single((await CampaignsAsync(target)).Except(before));
                await behindItsBack(DomainWorld.Attach(_http, target, campaign));
                await check(clean);
            });
        }

        return await new LoadRunner(new RunOptions { TestName = name, LoggerFactory = loggers ?? NullLoggerFactory.Instance }).RunAsync([scenario]);
    }

    /// <summary>The code of the voucher worker <paramref name="n"/> of the world holds.</summary>
    public async Task<string> VoucherOfAsync(DomainWorld world, int n)
    {
        var worker = await world.ExpectAsync(HttpMethod.Get, $"/api/v1/workers/{world.Citizen(n)}", world.Authority, null, CancellationToken.None);
        return Assert.Single(worker.GetProperty("vouchers").EnumerateArray()).GetProperty("code").GetString()!;
    }

    private async Task<HashSet<string>> CampaignsAsync(Uri target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, $"/api/v1/regions/{DomainWorld.Province}/campaigns"));
        request.Headers.Authorization = new("Bearer", LocalEngine.Token("authority", "hrss-" + DomainWorld.Province, DomainWorld.Province));
        using var response = await _http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. list.RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }
}

[CollectionDefinition(DomainEngine.Name)]
public sealed class DomainEngineCollection : ICollectionFixture<DomainEngine>;
