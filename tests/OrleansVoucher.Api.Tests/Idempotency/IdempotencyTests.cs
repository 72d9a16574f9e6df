using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Storage;
using OrleansVoucher.Silo.Storage.PostgreSql;
using OrleansVoucher.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansVoucher.Api.Tests.Idempotency;

/// <summary>Idempotency keys on PostgreSQL: replays, reuse, requests in flight, restarts and expiry.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IdempotencyTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Collect = "/api/v1/admin/activation-collections";
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(30);

    private readonly List<EngineFactory> _engines = [];
    private string _database = "";

    public async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync("idempotency");

    public async Task DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_retry_gets_the_original_response_without_running_again()
    {
        var engine = Start();
        var client = engine.CreateClient(Roles.Operator, "ops");
        var first = await PostAsync(client, "replay-1", 0);
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));

        // Leave an idle activation that running the collection again would collect.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "replay-other", 86_400)).StatusCode);
        var before = await ActivationsAsync(client);

        var retry = await PostAsync(client, "replay-1", 0);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal("application/json", retry.Content.Headers.ContentType?.MediaType);
        Assert.Equal("true", retry.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName).Single());
        Assert.True(await ActivationsAsync(client) >= before, "The retry ran the collection again.");
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422_and_runs_nothing()
    {
        var client = Start().CreateClient(Roles.Operator, "ops");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "reuse-1", 60)).StatusCode);

        await Problem.AssertAsync(await PostAsync(client, "reuse-1", 61), 422, "idempotency-key-reused");
    }

    [Fact]
    public async Task Keys_belong_to_their_caller()
    {
        var engine = Start();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(engine.CreateClient(Roles.Operator, "ops-a"), "shared-key", 60)).StatusCode);

        var other = await PostAsync(engine.CreateClient(Roles.Operator, "ops-b"), "shared-key", 61);

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.False(other.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
    }

    [Fact]
    public async Task A_retry_while_the_first_request_runs_is_409_with_retry_after_then_replays()
    {
        var gate = new Gate();
        var engine = Start(services: Gate.Install(gate));
        var client = engine.CreateClient(Roles.Operator, "ops");
        await engine.Grains.GetGrain<IGateGrain>("held").PingAsync();

        var first = PostAsync(client, "in-flight-1", 0);
        await gate.Entered.Task.WaitAsync(s_hang);
        var duplicate = await PostAsync(client, "in-flight-1", 0);
        var different = await PostAsync(client, "in-flight-1", 5);
        gate.Opened.SetResult();
        var completed = await first.WaitAsync(s_hang);
        var retry = await PostAsync(client, "in-flight-1", 0);

        await Problem.AssertAsync(duplicate, 409, "idempotency-key-in-flight");
        Assert.True(duplicate.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await Problem.AssertAsync(different, 422, "idempotency-key-reused");
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        Assert.True((await completed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("collected").GetInt32() >= 1);
        Assert.Equal(await completed.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.True(retry.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
    }

    [Fact]
    public async Task The_record_survives_an_engine_restart_on_the_same_database()
    {
        var firstEngine = Start();
        Assert.IsType<PostgreSqlGrainStorage>(firstEngine.Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName));
        var first = await PostAsync(firstEngine.CreateClient(Roles.Operator, "ops"), "restart-1", 0);
        var firstBody = await first.Content.ReadAsStringAsync();
        await firstEngine.DisposeAsync();
        _engines.Remove(firstEngine);

        var secondEngine = Start();
        var retry = await PostAsync(secondEngine.CreateClient(Roles.Operator, "ops"), "restart-1", 0);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.True(retry.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
    }

    [Fact]
    public async Task A_request_abandoned_in_flight_blocks_its_key_only_until_its_lease_runs_out()
    {
        var clock = new ManualTimeProvider();
        var engine = Start(clock);
        var client = engine.CreateClient(Roles.Operator, "ops");

        // A process began this very request, then died before completing it.
        var record = engine.Grains.GetGrain<IIdempotencyRecordGrain>(IdempotencyKeys.GrainKey("operator:ops", "crashed-1"));
        var crashed = await record.BeginAsync(IdempotencyKeys.Fingerprint("POST", Collect, """{"idleForSeconds":0}"""u8));
        Assert.Equal(IdempotencyOutcome.Proceed, crashed.Outcome);
        await Problem.AssertAsync(await PostAsync(client, "crashed-1", 0), 409, "idempotency-key-in-flight");

        clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        var takeover = await PostAsync(client, "crashed-1", 0);

        Assert.Equal(HttpStatusCode.OK, takeover.StatusCode);
        Assert.False(takeover.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.False(await record.CompleteAsync(crashed.Lease, new IdempotentResponse(200, null, [], [])));
        Assert.True((await PostAsync(client, "crashed-1", 0)).Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
    }

    [Fact]
    public async Task A_key_is_free_again_after_the_retention()
    {
        var clock = new ManualTimeProvider();
        var client = Start(clock).CreateClient(Roles.Operator, "ops");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "expiry-1", 60)).StatusCode);
        await Problem.AssertAsync(await PostAsync(client, "expiry-1", 61), 422, "idempotency-key-reused");

        clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        client = _engines[0].CreateClient(Roles.Operator, "ops");
        var reused = await PostAsync(client, "expiry-1", 61);

        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.False(reused.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
    }

    [Fact]
    public async Task A_record_swept_from_storage_leaves_its_key_as_if_never_used()
    {
        var clock = new ManualTimeProvider();
        var engine = Start(clock, periodicSweep: false);
        var client = engine.CreateClient(Roles.Operator, "ops");
        var stateKey = new GrainStateKey("idempotency-record", "record", IdempotencyKeys.GrainKey("operator:ops", "swept-1"));
        var storage = engine.Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "swept-1", 60)).StatusCode);
        await Problem.AssertAsync(await PostAsync(client, "swept-1", 61), 422, "idempotency-key-reused");
        Assert.Equal(2, (await storage.ReadAsync(stateKey, CancellationToken.None)).Version);

        // Past the retention and the sweep's grace (the silo's own sweep may run meanwhile too).
        clock.Advance(TimeSpan.FromHours(24) + new ExpiredStateSweepOptions().Grace + TimeSpan.FromSeconds(1));
        await engine.Services.GetRequiredService<ExpiredStateSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal(StoredState.Absent, await storage.ReadAsync(stateKey, CancellationToken.None));

        client = engine.CreateClient(Roles.Operator, "ops");
        var reused = await PostAsync(client, "swept-1", 61);
        var retry = await PostAsync(client, "swept-1", 61);

        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.False(reused.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.True(retry.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.Equal(await reused.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        await Problem.AssertAsync(await PostAsync(client, "swept-1", 60), 422, "idempotency-key-reused");
        Assert.Equal(2, (await storage.ReadAsync(stateKey, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_stored_record_declares_when_it_may_be_swept()
    {
        var clock = new ManualTimeProvider();
        var engine = Start(clock, periodicSweep: false);
        var grainKey = IdempotencyKeys.GrainKey("operator:ops", "declared-1");
        var record = engine.Grains.GetGrain<IIdempotencyRecordGrain>(grainKey);
        var stateKey = new GrainStateKey("idempotency-record", "record", grainKey);
        var storage = engine.Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);
        var sweeper = engine.Services.GetRequiredService<ExpiredStateSweeper>();
        var grace = new ExpiredStateSweepOptions().Grace;
        var begun = await record.BeginAsync("fingerprint");

        // In flight, the record is kept to the end of its retention, well past its lease.
        clock.Advance(TimeSpan.FromHours(24) + grace - TimeSpan.FromSeconds(1));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(1, (await storage.ReadAsync(stateKey, CancellationToken.None)).Version);

        // Completed, to the end of the retention counted from its completion.
        Assert.True(await record.CompleteAsync(begun.Lease, new IdempotentResponse(200, null, [], [])));
        clock.Advance(TimeSpan.FromHours(24) + grace - TimeSpan.FromSeconds(1));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(2, (await storage.ReadAsync(stateKey, CancellationToken.None)).Version);

        clock.Advance(TimeSpan.FromSeconds(2));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(StoredState.Absent, await storage.ReadAsync(stateKey, CancellationToken.None));
    }

    [Fact]
    public async Task A_request_outliving_its_swept_record_cannot_overwrite_the_record_made_since()
    {
        var clock = new ManualTimeProvider();
        var first = Start(clock, periodicSweep: false);
        var second = Start(clock, periodicSweep: false);
        var grainKey = IdempotencyKeys.GrainKey("operator:ops", "outlived-1");
        var firstRecord = first.Grains.GetGrain<IIdempotencyRecordGrain>(grainKey);
        var stale = await firstRecord.BeginAsync("fingerprint");

        // The record expires and is swept while its request still runs, and calls that change nothing
        // (completions with leases it does not hold) keep the first process's activation from idle
        // collection. Then another engine process takes the key afresh, which re-creates the record at
        // the version that activation held.
        var end = clock.GetUtcNow() + TimeSpan.FromHours(24) + new ExpiredStateSweepOptions().Grace + TimeSpan.FromSeconds(1);
        while (clock.GetUtcNow() < end)
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            Assert.False(await firstRecord.CompleteAsync(Guid.NewGuid(), new IdempotentResponse(200, null, [], [])));
        }

        await first.Services.GetRequiredService<ExpiredStateSweeper>().SweepAsync(CancellationToken.None);
        var secondRecord = second.Grains.GetGrain<IIdempotencyRecordGrain>(grainKey);
        var fresh = await secondRecord.BeginAsync("fingerprint");
        Assert.Equal(IdempotencyOutcome.Proceed, fresh.Outcome);

        Assert.False(await firstRecord.CompleteAsync(stale.Lease, new IdempotentResponse(200, null, [], [])));
        Assert.True(await secondRecord.CompleteAsync(fresh.Lease, new IdempotentResponse(201, null, [], [])));
        Assert.Equal(201, (await secondRecord.BeginAsync("fingerprint")).Response?.StatusCode);
    }

    [Fact]
    public async Task A_rejected_malformed_request_frees_its_key_for_the_corrected_one()
    {
        var client = Start().CreateClient(Roles.Operator, "ops");
        await Problem.AssertAsync(await PostAsync(client, "corrected-1", -5), 400, "validation-failed");

        var corrected = await PostAsync(client, "corrected-1", 60);

        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        Assert.False(corrected.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
    }

    [Theory]
    [InlineData(200, false, null, true)]
    [InlineData(201, false, null, true)]
    [InlineData(409, false, "voucher-already-used", true)]
    [InlineData(422, false, "yearly-limit-reached", true)]
    [InlineData(409, false, "concurrent-operation", false)]
    [InlineData(409, true, "stock-exhausted", false)]
    [InlineData(400, false, "validation-failed", false)]
    [InlineData(404, false, "voucher-not-found", false)]
    [InlineData(413, false, "payload-too-large", false)]
    [InlineData(429, false, "rate-limited", false)]
    [InlineData(500, false, "internal-error", false)]
    [InlineData(503, false, "unavailable", false)]
    public void Only_responses_that_settle_the_request_are_remembered(int status, bool retryAfter, string? code, bool remembered)
    {
        Assert.Equal(remembered, IdempotencyMiddleware.Settles(status, retryAfter, code));
    }

    private EngineFactory Start(TimeProvider? time = null, Action<IServiceCollection>? services = null, bool periodicSweep = true)
    {
        var settings = EngineFactory.PostgreSqlSettings(_database);

        // A test that sweeps on demand keeps the silo's own sweep from skipping the rows it holds.
        settings["Silo:ExpiredStateSweep:Enabled"] = periodicSweep ? "true" : "false";
        var engine = new EngineFactory(settings, time: time, services: services);
        _engines.Add(engine);
        return engine;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string key, int idleForSeconds)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Collect) { Content = Problem.Json($$"""{"idleForSeconds":{{idleForSeconds}}}""") };
        request.Headers.Add(IdempotencyKeys.HeaderName, key);
        return client.SendAsync(request);
    }

    private static async Task<long> ActivationsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/admin/silo")).GetProperty("activations").GetInt64();
}
