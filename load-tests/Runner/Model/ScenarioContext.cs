using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>Which scenario an invocation belongs to and where it runs.</summary>
/// <param name="ScenarioName">The scenario's name.</param>
/// <param name="CopyNumber">The closed-model copy running it (0-based); -1 in the open model, where invocations have no copy.</param>
/// <param name="IsWarmUp">Whether it runs in the warm-up, whose results are not reported.</param>
public sealed record ScenarioInfo(string ScenarioName, int CopyNumber, bool IsWarmUp);

/// <summary>What one invocation of a scenario's step function gets.</summary>
public sealed class ScenarioContext
{
    private readonly int _seed;
    private readonly ScenarioRecorder _recorder;
    private Random? _random;

    internal ScenarioContext(
        long invocationNumber,
        ScenarioInfo scenarioInfo,
        int seed,
        ScenarioRecorder recorder,
        ConcurrentDictionary<string, object?> data,
        ILogger logger,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        InvocationNumber = invocationNumber;
        ScenarioInfo = scenarioInfo;
        _seed = seed;
        _recorder = recorder;
        Data = data;
        Logger = logger;
        TimeProvider = timeProvider;
        CancellationToken = cancellationToken;
    }

    /// <summary>Where the invocation's results are recorded.</summary>
    internal ScenarioRecorder Recorder => _recorder;

    /// <summary>The invocation's number within its scenario, from 0, counting the warm-up; unique per invocation.</summary>
    public long InvocationNumber { get; }

    /// <summary>The scenario, the copy and the phase.</summary>
    public ScenarioInfo ScenarioInfo { get; }

    /// <summary>
    /// A random generator for this invocation, seeded from the run's seed, the scenario and the invocation
    /// number, so that a run with the same seed draws the same values; owned by this invocation alone.
    /// </summary>
    public Random Random => _random ??= new Random(_seed);

    /// <summary>The scenario's shared data, filled by its init hook; safe to read from any invocation.</summary>
    public ConcurrentDictionary<string, object?> Data { get; }

    /// <summary>The scenario's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The clock the runner measures with; use it for any wait inside a step.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Cancelled when the run is stopped (Ctrl+C) or when in-flight invocations outlive the end of the run.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Waits on the run's clock (think time between steps, a pause a scenario needs); cancelled with the
    /// run. Exact to the clock's resolution, so a test clock drives it deterministically.
    /// </summary>
    public Task DelayAsync(TimeSpan delay) => ClockDelay.WaitAsync(TimeProvider, delay, CancellationToken);

    /// <summary>
    /// Runs one named step of the invocation and records its own ok/fail count and time (from its start
    /// to its end) in the report's step table. An exception becomes a failed response. Return the
    /// failure from the scenario to fail the invocation: <c>if (step.IsError) return step;</c>.
    /// </summary>
    public async Task<Response> Step(string name, Func<Task<Response>> run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(run);
        var started = TimeProvider.GetTimestamp();
        Response response;
        try
        {
            response = await run().ConfigureAwait(false) ?? Response.Fail("the step returned no response");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !CancellationToken.IsCancellationRequested)
        {
            response = Response.Fail(exception);
        }

        _recorder.RecordStep(name, response, TimeProvider.GetElapsedTime(started));
        return response;
    }
}
