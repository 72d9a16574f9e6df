using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// Runs one scenario: starts its invocations (on the arrival schedule in the open model, as copies in
/// the closed model), times them, and hands every ended invocation to the phase's recorder.
/// </summary>
/// <remarks>
/// Open model: one dispatcher walks the arrival schedule, sleeps until the next intended start (see
/// <see cref="SleepOnThisThread"/>), then starts every invocation that is due — late ones too, at once, never skipped.
/// Each invocation's response time runs from its intended start, so time the runner itself lost (a
/// pause, a starved thread pool, a slow synchronous step) is counted, not hidden; its service time runs
/// from the actual send. An invocation due while <see cref="RunOptions.MaxInFlight"/> are running is not
/// sent and counts as a failure. A step runs on the dispatcher up to its first <c>await</c>.
/// </remarks>
internal sealed class ScenarioRuntime
{
    public const string AbandonedReason = "still running when the run ended (drain timeout)";

    private readonly Scenario _scenario;
    private readonly TimeProvider _time;
    private readonly long _runStart;
    private readonly int _maxInFlight;
    private readonly ulong _seedBase;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort;
    private readonly ConcurrentDictionary<string, object?> _data = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _loggedReasons = new(StringComparer.Ordinal);
    private readonly ArrivalSchedule? _schedule;
    private readonly CopyPool? _copies;
    private readonly string _inFlightReason;
    private readonly ScenarioInfo _openWarmUpInfo;
    private readonly ScenarioInfo _openInfo;
    private readonly Lock _sealGate = new();
    private readonly bool _systemClock;
    private int _inFlight;
    private long _invocations;
    private bool _draining;
    private bool _sealed;
    private bool _initCompleted;
    private TaskCompletionSource? _idle;

    public ScenarioRuntime(Scenario scenario, RunOptions options, long runStart, CancellationToken abort)
    {
        _scenario = scenario;
        _time = options.TimeProvider;
        _systemClock = ReferenceEquals(_time, TimeProvider.System);
        _runStart = runStart;
        _maxInFlight = options.MaxInFlight;
        _seedBase = Mix((ulong)(uint)options.Seed ^ Fnv(scenario.Name));
        _logger = options.LoggerFactory.CreateLogger("OrleansVoucher.LoadTests.Scenario." + scenario.Name);
        _abort = CancellationTokenSource.CreateLinkedTokenSource(abort);
        _inFlightReason = $"in-flight limit ({options.MaxInFlight.ToString(CultureInfo.InvariantCulture)}) reached; not sent";
        _openWarmUpInfo = new ScenarioInfo(scenario.Name, -1, true);
        _openInfo = new ScenarioInfo(scenario.Name, -1, false);
        IsOpenModel = scenario.IsOpenModel;
        if (IsOpenModel)
        {
            _schedule = new ArrivalSchedule(scenario.LoadSimulations);
        }
        else
        {
            var plan = new ConcurrencyPlan(scenario.LoadSimulations);
            _copies = new CopyPool(this, plan);
        }

        WarmUp = new ScenarioRecorder(options.ReportingInterval);
        Main = new ScenarioRecorder(options.ReportingInterval);
    }

    public Scenario Scenario => _scenario;

    public bool IsOpenModel { get; }

    public ScenarioRecorder WarmUp { get; }

    public ScenarioRecorder Main { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>When the scenario's last invocation ended, from the start of the run; null while it runs.</summary>
    public TimeSpan? FinishedAt { get; private set; }

    /// <summary>Whether its load has ended (it may still be draining).</summary>
    public bool LoadEnded { get; private set; }

    /// <summary>Whether the time series has its last point.</summary>
    public bool SeriesClosed { get; set; }

    private TimeSpan Elapsed => _time.GetElapsedTime(_runStart);

    /// <summary>The load asked for at <paramref name="offset"/> into the measured phase: a rate per second or a number of copies.</summary>
    public double TargetAt(TimeSpan offset) => _schedule?.RateAt(offset) ?? _copies!.Target;

    /// <summary>Runs the init hook; throws <see cref="ScenarioInitException"/> when it fails.</summary>
    public async Task InitAsync(CancellationToken cancellationToken)
    {
        if (_scenario.Init is { } init)
        {
            try
            {
                await init(new ScenarioInitContext(_scenario.Name, _data, _logger, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                throw new ScenarioInitException(_scenario.Name, exception);
            }
        }

        _initCompleted = true;
    }

    /// <summary>Runs the clean hook, telling it whether the init hook completed; the checks it reports as held go to <paramref name="held"/>.</summary>
    public Task CleanAsync(Action<string> held, CancellationToken cancellationToken) =>
        _scenario.Clean is { } clean
            ? clean(new ScenarioInitContext(_scenario.Name, _data, _logger, cancellationToken) { InitCompleted = _initCompleted, OnCheckHeld = held })
            : Task.CompletedTask;

    /// <summary>Runs the load simulations once (cut at <paramref name="cut"/> when given), from <paramref name="phaseStart"/>.</summary>
    public Task RunPhaseAsync(ScenarioRecorder recorder, bool warmUp, TimeSpan phaseStart, TimeSpan? cut, CancellationToken stop) =>
        IsOpenModel ? RunOpenAsync(recorder, warmUp, phaseStart, cut, stop) : RunClosedAsync(recorder, warmUp, phaseStart, cut, stop);

    /// <summary>
    /// After the measured load: waits for running invocations; past <paramref name="timeout"/> cancels
    /// them, and whatever still runs a second later counts as failed. Later endings are ignored.
    /// </summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        LoadEnded = true;
        var idle = new TaskCompletionSource();
        Volatile.Write(ref _idle, idle);
        Volatile.Write(ref _draining, true);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            idle.TrySetResult();
        }

        if (!await WaitForAsync(idle.Task, timeout).ConfigureAwait(false))
        {
            _logger.LogWarning("{Count} invocations still running {Timeout} after the load ended; cancelling them.", InFlight, DurationText.Format(timeout));
            _abort.Cancel();
            await WaitForAsync(idle.Task, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        lock (_sealGate)
        {
            _sealed = true;
            Main.RecordUnsent(AbandonedReason, Volatile.Read(ref _inFlight));
        }

        FinishedAt = Elapsed;
    }

    private async Task<bool> WaitForAsync(Task task, TimeSpan timeout)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        using var cancel = new CancellationTokenSource();
        var delay = ClockDelay.WaitAsync(_time, timeout, cancel.Token);
        var first = await Task.WhenAny(task, delay).ConfigureAwait(false);
        cancel.Cancel();
        return first == task;
    }

    // On the system clock the dispatcher gets a thread of its own: it sleeps with Thread.Sleep, which
    // on Linux wakes within about 0.1 ms, where a .NET timer wakes 1–2 ms late. On any other clock it
    // runs on that clock's timers, so that a test clock drives it deterministically.
    private Task RunOpenAsync(ScenarioRecorder recorder, bool warmUp, TimeSpan phaseStart, TimeSpan? cut, CancellationToken stop)
    {
        if (!_systemClock)
        {
            return RunOpenLoopAsync(recorder, warmUp, phaseStart, cut, stop);
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                RunOpenLoopAsync(recorder, warmUp, phaseStart, cut, stop).GetAwaiter().GetResult();
                done.SetResult();
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
        })
        {
            IsBackground = true,
            Name = "dispatcher " + _scenario.Name,
        };
        thread.Start();
        return done.Task;
    }

    private async Task RunOpenLoopAsync(ScenarioRecorder recorder, bool warmUp, TimeSpan phaseStart, TimeSpan? cut, CancellationToken stop)
    {
        var schedule = cut is null ? _schedule! : new ArrivalSchedule(_scenario.LoadSimulations, cut);
        using var arrivals = schedule.Arrivals().GetEnumerator();
        var pending = arrivals.MoveNext();
        while (pending)
        {
            if (!await SleepUntilPreciseAsync(phaseStart + arrivals.Current, stop).ConfigureAwait(false))
            {
                return;
            }

            if (stop.IsCancellationRequested)
            {
                return;
            }

            var now = Elapsed;
            while (pending && phaseStart + arrivals.Current <= now)
            {
                Dispatch(recorder, warmUp, phaseStart + arrivals.Current);
                pending = arrivals.MoveNext();
            }
        }

        await SleepUntilAsync(phaseStart + schedule.Duration, stop).ConfigureAwait(false);
    }

    private void Dispatch(ScenarioRecorder recorder, bool warmUp, TimeSpan intendedStart)
    {
        if (Interlocked.Increment(ref _inFlight) > _maxInFlight)
        {
            Release();
            recorder.RecordUnsent(_inFlightReason, inFlightLimit: true);
            LogFirst(_inFlightReason);
            return;
        }

        _ = ExecuteAsync(recorder, warmUp ? _openWarmUpInfo : _openInfo, intendedStart, open: true);
    }

    private Task ExecuteClosedAsync(ScenarioRecorder recorder, bool warmUp, int copy)
    {
        Interlocked.Increment(ref _inFlight);
        return ExecuteAsync(recorder, new ScenarioInfo(_scenario.Name, copy, warmUp), Elapsed, open: false);
    }

    private async Task ExecuteAsync(ScenarioRecorder recorder, ScenarioInfo info, TimeSpan intendedStart, bool open)
    {
        var number = Interlocked.Increment(ref _invocations) - 1;
        var context = new ScenarioContext(number, info, (int)Mix(_seedBase + (ulong)number), recorder, _data, _logger, _time, _abort.Token);
        var sent = Elapsed;
        if (open)
        {
            recorder.RecordSendLag(sent - intendedStart);
        }

        Response response;
        try
        {
            response = await _scenario.Run(context).ConfigureAwait(false) ?? Response.Fail("the scenario returned no response");
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            response = Response.Fail(AbandonedReason);
        }
        catch (Exception exception)
        {
            response = Response.Fail(exception);
        }

        var ended = Elapsed;
        if (!Volatile.Read(ref _draining))
        {
            recorder.Record(response, ended - intendedStart, ended - sent);
        }
        else
        {
            lock (_sealGate)
            {
                if (!_sealed)
                {
                    recorder.Record(response, ended - intendedStart, ended - sent);
                }
            }
        }

        Release();
        if (response.IsError)
        {
            LogFirst(response.Reason);
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _draining))
        {
            Volatile.Read(ref _idle)?.TrySetResult();
        }
    }

    private void LogFirst(string? reason)
    {
        if (reason is not null && _loggedReasons.Count < ScenarioRecorder.MaxReasons && _loggedReasons.TryAdd(reason, true))
        {
            _logger.LogWarning("First failure of its kind: {Reason}", reason);
        }
    }

    private async Task RunClosedAsync(ScenarioRecorder recorder, bool warmUp, TimeSpan phaseStart, TimeSpan? cut, CancellationToken stop)
    {
        var copies = _copies!;
        var end = cut is { } limit ? phaseStart + limit : TimeSpan.MaxValue;
        var phaseOffset = phaseStart;

        // A warm-up longer than the load replays it from the start (as the open model's schedule does); a load bounded by iterations runs once.
        var replay = cut is not null && copies.Plan.Phases.All(p => p.Iterations is null) && copies.Plan.Phases.Any(p => p.Duration > TimeSpan.Zero);
        try
        {
            do
            {
                foreach (var phase in copies.Plan.Phases)
                {
                    if (phaseOffset >= end || stop.IsCancellationRequested)
                    {
                        return;
                    }

                    if (phase.Iterations is { } iterations)
                    {
                        copies.LimitIterations(iterations);
                        copies.SetTarget(phase.Changes[0].Copies, recorder, warmUp);
                        var finished = copies.WhenStopped();
                        var deadline = cut is null ? ClockDelay.WaitAsync(_time, Timeout.InfiniteTimeSpan, stop) : ClockDelay.WaitAsync(_time, end - Elapsed, stop);
                        await Task.WhenAny(finished, deadline).ConfigureAwait(false);
                        copies.SetTarget(0, recorder, warmUp);
                        copies.LimitIterations(null);
                        if (!finished.IsCompleted)
                        {
                            return;
                        }

                        phaseOffset = Elapsed;
                        continue;
                    }

                    foreach (var change in phase.Changes)
                    {
                        var at = phaseOffset + change.At;
                        if (at >= end)
                        {
                            await SleepUntilAsync(end, stop).ConfigureAwait(false);
                            return;
                        }

                        if (!await SleepUntilAsync(at, stop).ConfigureAwait(false))
                        {
                            return;
                        }

                        copies.SetTarget(change.Copies, recorder, warmUp);
                    }

                    phaseOffset += phase.Duration!.Value;
                    if (!await SleepUntilAsync(phaseOffset < end ? phaseOffset : end, stop).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
            while (replay && phaseOffset < end);
        }
        finally
        {
            copies.SetTarget(0, recorder, warmUp);
        }
    }

    private Task<bool> SleepUntilAsync(TimeSpan at, CancellationToken stop)
    {
        var wait = at - Elapsed;
        return wait > TimeSpan.Zero ? SleepAsync(wait, stop) : Task.FromResult(!stop.IsCancellationRequested);
    }

    // The open model's wait for the next intended start; false when the run was stopped.
    private Task<bool> SleepUntilPreciseAsync(TimeSpan due, CancellationToken stop)
    {
        var wait = due - Elapsed;
        if (wait <= TimeSpan.Zero)
        {
            return Task.FromResult(!stop.IsCancellationRequested);
        }

        return _systemClock ? Task.FromResult(SleepOnThisThread(due, stop)) : SleepAsync(wait, stop);
    }

    // On the dispatcher's own thread: whole milliseconds with Thread.Sleep (in slices, to notice a stop),
    // then the fraction left is spun out, so the send lands within microseconds of its time. A wait
    // shorter than a millisecond to begin with (rates above 1000/s) sleeps one millisecond and sends the
    // batch that came due instead, so high rates do not keep a core spinning. Lateness either way is
    // measured as send lag and counted in the response time.
    private bool SleepOnThisThread(TimeSpan due, CancellationToken stop)
    {
        var slept = false;
        while (!stop.IsCancellationRequested)
        {
            var remaining = due - Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                return true;
            }

            if (remaining >= TimeSpan.FromMilliseconds(1) || !slept)
            {
                Thread.Sleep(Math.Clamp((int)remaining.TotalMilliseconds, 1, 50));
                slept = true;
                continue;
            }

            var spin = default(SpinWait);
            while (Elapsed < due && !stop.IsCancellationRequested)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        return false;
    }

    // Sleeps `wait` on the run's clock; false when the run was stopped.
    private async Task<bool> SleepAsync(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            await ClockDelay.WaitAsync(_time, wait, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    // A 64-bit finaliser (splitmix): turns neighbouring inputs into unrelated seeds.
    private static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>
    /// The closed model's copies: slot <c>i</c> runs while <c>i</c> is below the target, one invocation
    /// at a time, back to back. A slot whose copy was retired finishes its invocation first; a slot is
    /// started again only once its previous loop has ended, so no more than the target's peak run at once.
    /// </summary>
    private sealed class CopyPool(ScenarioRuntime runtime, ConcurrencyPlan plan)
    {
        private readonly Lock _gate = new();
        private readonly bool[] _running = new bool[plan.MaxCopies];
        private int _target;
        private int _runningCount;
        private long _iterationsLeft = long.MaxValue;
        private TaskCompletionSource? _stopped;
        private PhaseTarget _phase = new(null!, false);

        public ConcurrencyPlan Plan { get; } = plan;

        public int Target => Volatile.Read(ref _target);

        public void LimitIterations(long? iterations) => Volatile.Write(ref _iterationsLeft, iterations ?? long.MaxValue);

        public void SetTarget(int copies, ScenarioRecorder recorder, bool warmUp)
        {
            List<int>? start = null;
            lock (_gate)
            {
                _target = copies;
                _phase = new PhaseTarget(recorder, warmUp);
                for (var copy = 0; copy < copies; copy++)
                {
                    if (!_running[copy])
                    {
                        _running[copy] = true;
                        _runningCount++;
                        (start ??= []).Add(copy);
                    }
                }
            }

            foreach (var copy in start ?? [])
            {
                _ = LoopAsync(copy);
            }
        }

        public Task WhenStopped()
        {
            lock (_gate)
            {
                if (_runningCount == 0)
                {
                    return Task.CompletedTask;
                }

                _stopped ??= new TaskCompletionSource();
                return _stopped.Task;
            }
        }

        private async Task LoopAsync(int copy)
        {
            var synchronous = 0;
            while (true)
            {
                if (copy >= Volatile.Read(ref _target) || Volatile.Read(ref _iterationsLeft) <= 0)
                {
                    TaskCompletionSource? stopped = null;
                    lock (_gate)
                    {
                        if (copy >= _target || Volatile.Read(ref _iterationsLeft) <= 0)
                        {
                            _running[copy] = false;
                            if (--_runningCount == 0)
                            {
                                stopped = _stopped;
                                _stopped = null;
                            }
                        }
                        else
                        {
                            continue;
                        }
                    }

                    stopped?.TrySetResult();
                    return;
                }

                if (Interlocked.Decrement(ref _iterationsLeft) < 0)
                {
                    continue;
                }

                var phase = Volatile.Read(ref _phase);
                var invocation = runtime.ExecuteClosedAsync(phase.Recorder, phase.WarmUp, copy);
                if (!invocation.IsCompleted)
                {
                    synchronous = 0;
                    await invocation.ConfigureAwait(false);
                }
                else if (++synchronous % 32 == 0)
                {
                    // A step that never waits would otherwise hold this thread until the load ends.
                    await Task.Yield();
                }
            }
        }

        private sealed record PhaseTarget(ScenarioRecorder Recorder, bool WarmUp);
    }
}
