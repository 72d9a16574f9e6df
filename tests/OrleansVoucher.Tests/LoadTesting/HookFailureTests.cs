using System.Net.Sockets;
using OrleansVoucher.LoadTests.Runner;
using static OrleansVoucher.Tests.LoadTesting.FakeRuns;

namespace OrleansVoucher.Tests.LoadTesting;

/// <summary>
/// When a scenario's init hook fails — typically the target is not running or refuses the seeding — the
/// run stops with one message naming the scenario and the cause, and the clean hook is told the init did
/// not complete, so it releases what it holds instead of checking invariants of a load that never ran.
/// </summary>
public sealed class HookFailureTests
{
    [Fact]
    public async Task An_unreachable_target_in_init_stops_the_run_with_one_explained_message()
    {
        bool? initCompleted = null;
        var scenario = Scenario.Create("verify", Taking(Ms(1)))
            .WithLoadSimulations(Simulation.Inject(10, S(1), S(1)))
            .WithInit(_ => throw new HttpRequestException(
                HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:5999)", new SocketException((int)SocketError.ConnectionRefused)))
            .WithClean(clean =>
            {
                initCompleted = clean.InitCompleted;
                return Task.CompletedTask;
            });

        var failure = await Assert.ThrowsAsync<ScenarioInitException>(() => RunAsync(scenario));

        Assert.Equal("the init hook of verify failed: Connection refused (127.0.0.1:5999)", failure.Message);
        Assert.True(failure.IsExplained);
        Assert.False(initCompleted);
    }

    [Fact]
    public async Task A_fault_in_init_is_not_explained_so_its_stack_trace_is_kept()
    {
        var scenario = Scenario.Create("broken", Taking(Ms(1)))
            .WithLoadSimulations(Simulation.Inject(10, S(1), S(1)))
            .WithInit(_ => throw new NullReferenceException());

        var failure = await Assert.ThrowsAsync<ScenarioInitException>(() => RunAsync(scenario));

        Assert.False(failure.IsExplained);
        Assert.IsType<NullReferenceException>(failure.InnerException);
    }

    [Fact]
    public async Task After_a_completed_init_the_clean_hook_is_told_so_and_its_explained_failure_is_reported_in_one_line()
    {
        bool? initCompleted = null;
        var scenario = Scenario.Create("claim-storm", Taking(Ms(1)))
            .WithLoadSimulations(Simulation.Inject(10, S(1), S(1)))
            .WithInit(_ => Task.CompletedTask)
            .WithClean(clean =>
            {
                initCompleted = clean.InitCompleted;
                throw new ScenarioFailureException("invariants broken: oversold");
            });

        var result = await RunAsync(scenario);

        Assert.True(initCompleted);
        Assert.Equal(["claim-storm: invariants broken: oversold"], result.CleanFailures);
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task A_capacity_search_whose_init_fails_tells_its_clean_hook_so()
    {
        bool? initCompleted = null;
        var scenario = Scenario.Create("verify", Taking(Ms(1)))
            .WithInit(_ => throw new ScenarioFailureException("PUT /api/v1/regions/350000/policy answered 401"))
            .WithClean(clean =>
            {
                initCompleted = clean.InitCompleted;
                return Task.CompletedTask;
            });

        var failure = await Assert.ThrowsAsync<ScenarioInitException>(() =>
            CapacitySearchTests.SearchAsync(new CapacityOptions { From = 10, StepDuration = S(1) }, scenario, "p99 <= 25ms"));

        Assert.Equal("the init hook of verify failed: PUT /api/v1/regions/350000/policy answered 401", failure.Message);
        Assert.True(failure.IsExplained);
        Assert.False(initCompleted);
    }
}
