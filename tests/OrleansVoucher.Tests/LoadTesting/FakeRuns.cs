using OrleansVoucher.LoadTests.Runner;

namespace OrleansVoucher.Tests.LoadTesting;

/// <summary>Runs scenarios on a <see cref="ReplayClock"/>: deterministic, and a simulated minute takes milliseconds.</summary>
internal static class FakeRuns
{
    public static async Task<RunResult> RunAsync(ReplayClock clock, RunOptions options, params Scenario[] scenarios)
    {
        var runner = new LoadRunner(options with { TimeProvider = clock });
        var run = clock.Start(() => runner.RunAsync(scenarios));
        clock.RunUntilComplete(run, TimeSpan.FromHours(1));
        return await run;
    }

    public static Task<RunResult> RunAsync(params Scenario[] scenarios) => RunAsync(new ReplayClock(), new RunOptions(), scenarios);

    /// <summary>A step that takes <paramref name="duration"/> of clock time and succeeds.</summary>
    public static Func<ScenarioContext, Task<Response>> Taking(TimeSpan duration) => async context =>
    {
        await context.DelayAsync(duration);
        return Response.Ok(statusCode: "200", sizeBytes: 100);
    };

    public static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    public static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>Asserts that a histogram value in ms is the expected one to within the histogram's precision (1/1024, plus 1 µs).</summary>
    public static void Near(double expectedMs, double actualMs)
    {
        var tolerance = (expectedMs / 1024) + 0.001;
        Assert.True(Math.Abs(expectedMs - actualMs) <= tolerance, $"Expected {expectedMs} ms (±{tolerance:0.###}), got {actualMs} ms.");
    }
}
