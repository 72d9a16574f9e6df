using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// Collects one scenario's results while it runs. Invocations record into the current interval's
/// buffer from any thread without locks; once per reporting interval the runner swaps in the spare
/// buffer, waits for the few writers still inside the old one, turns it into an interval of the time
/// series and merges it into the totals. Every ended invocation thus lands in exactly one interval.
/// </summary>
internal sealed class ScenarioRecorder
{
    /// <summary>Distinct failure reasons kept; more are counted together, so that a message with an id in it cannot fill memory.</summary>
    public const int MaxReasons = 100;

    public const string OtherReasons = "(other reasons)";

    private const string NoStatusCode = "-";

    private readonly LatencyHistogram _okResponse = new();
    private readonly LatencyHistogram _okService = new();
    private readonly LatencyHistogram _failResponse = new();
    private readonly LatencyHistogram _sendLag = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> _failReasons = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StatusCounter> _statusCodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StepRecorder> _steps = new(StringComparer.Ordinal);
    private readonly List<IntervalStats> _series = [];
    private readonly TimeSpan _interval;
    private Buffer _current = new();
    private Buffer _spare = new();
    private long _ok;
    private long _fail;
    private long _bytes;
    private long _notSent;

    public ScenarioRecorder(TimeSpan interval) => _interval = interval;

    public long Ok => Volatile.Read(ref _ok);

    public long Fail => Volatile.Read(ref _fail);

    public long NotSent => Volatile.Read(ref _notSent);

    public IReadOnlyList<IntervalStats> Series => _series;

    public IntervalStats? LastInterval => _series.Count == 0 ? null : _series[^1];

    public LatencyHistogram OkResponse => _okResponse;

    public LatencyHistogram OkService => _okService;

    public LatencyHistogram FailResponse => _failResponse;

    public LatencyHistogram SendLag => _sendLag;

    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Records an ended invocation: its response, its time from the intended start and from the actual send.</summary>
    public void Record(Response response, TimeSpan responseTime, TimeSpan serviceTime)
    {
        var buffer = Enter();
        try
        {
            if (response.IsOk)
            {
                buffer.OkResponse.Record(responseTime);
                buffer.OkService.Record(serviceTime);
                Interlocked.Increment(ref buffer.Ok);
            }
            else
            {
                buffer.FailResponse.Record(responseTime);
                Interlocked.Increment(ref buffer.Fail);
            }

            if (response.SizeBytes != 0)
            {
                Interlocked.Add(ref buffer.Bytes, response.SizeBytes);
            }
        }
        finally
        {
            Interlocked.Decrement(ref buffer.Writers);
        }

        CountStatus(response.StatusCode, response.IsOk);
        if (response.IsError)
        {
            CountReason(response.Reason ?? "unspecified failure");
        }
    }

    /// <summary>Records invocations that failed without being sent (the in-flight limit, the end of the run).</summary>
    public void RecordUnsent(string reason, long count = 1, bool inFlightLimit = false)
    {
        if (count <= 0)
        {
            return;
        }

        var buffer = Enter();
        Interlocked.Add(ref buffer.Fail, count);
        Interlocked.Decrement(ref buffer.Writers);
        if (inFlightLimit)
        {
            Interlocked.Add(ref _notSent, count);
        }

        CountStatus(null, ok: false, count);
        CountReason(reason, count);
    }

    /// <summary>How late the open model sent an invocation after its intended start.</summary>
    public void RecordSendLag(TimeSpan lag) => _sendLag.Record(lag);

    public void RecordStep(string name, Response response, TimeSpan elapsed) =>
        _steps.GetOrAdd(name, static n => new StepRecorder(n)).Record(response, elapsed);

    /// <summary>
    /// Ends the current interval: swaps buffers, waits for writers still in the old one, appends the
    /// interval to the series and merges it into the totals. Call from one thread at a time.
    /// </summary>
    public IntervalStats CloseInterval(TimeSpan start, TimeSpan duration, double target, int inFlight)
    {
        var closed = Interlocked.Exchange(ref _current, _spare);
        var spin = default(SpinWait);
        while (Volatile.Read(ref closed.Writers) != 0)
        {
            spin.SpinOnce();
        }

        var ok = Volatile.Read(ref closed.Ok);
        var fail = Volatile.Read(ref closed.Fail);
        var bytes = Volatile.Read(ref closed.Bytes);
        var interval = new IntervalStats(
            _series.Count,
            start,
            duration,
            ok,
            fail,
            (ok + fail) / _interval.TotalSeconds,
            bytes,
            closed.OkResponse.ToStats(),
            closed.OkService.ToStats(),
            target,
            inFlight);
        _series.Add(interval);

        _okResponse.Add(closed.OkResponse);
        _okService.Add(closed.OkService);
        _failResponse.Add(closed.FailResponse);
        Interlocked.Add(ref _ok, ok);
        Interlocked.Add(ref _fail, fail);
        Interlocked.Add(ref _bytes, bytes);

        closed.Reset();
        _spare = closed;
        return interval;
    }

    /// <summary>Whether anything ended since the last interval closed.</summary>
    public bool HasOpenInterval
    {
        get
        {
            var current = Volatile.Read(ref _current);
            return Volatile.Read(ref current.Ok) + Volatile.Read(ref current.Fail) != 0;
        }
    }

    public IReadOnlyList<ReasonCount> FailReasons() =>
        [.. _failReasons.Select(p => new ReasonCount(p.Key, p.Value.Value)).OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal)];

    public IReadOnlyList<StatusCodeCount> StatusCodes() =>
        [.. _statusCodes.Select(p => new StatusCodeCount(p.Key, p.Value.Ok, p.Value.Fail)).OrderByDescending(s => s.Ok + s.Fail).ThenBy(s => s.StatusCode, StringComparer.Ordinal)];

    public IReadOnlyList<StepStats> Steps() => [.. _steps.Values.Select(s => s.ToStats()).OrderBy(s => s.Name, StringComparer.Ordinal)];

    private Buffer Enter()
    {
        while (true)
        {
            var buffer = Volatile.Read(ref _current);
            Interlocked.Increment(ref buffer.Writers);
            if (ReferenceEquals(buffer, Volatile.Read(ref _current)))
            {
                return buffer;
            }

            Interlocked.Decrement(ref buffer.Writers);
        }
    }

    private void CountStatus(string? statusCode, bool ok, long count = 1)
    {
        var counter = _statusCodes.GetOrAdd(statusCode ?? NoStatusCode, static _ => new StatusCounter());
        if (ok)
        {
            Interlocked.Add(ref counter.Ok, count);
        }
        else
        {
            Interlocked.Add(ref counter.Fail, count);
        }
    }

    private void CountReason(string reason, long count = 1) => CountReason(_failReasons, reason, count);

    internal static void CountReason(ConcurrentDictionary<string, StrongBox<long>> reasons, string reason, long count)
    {
        if (!reasons.TryGetValue(reason, out var box))
        {
            box = reasons.Count >= MaxReasons ? reasons.GetOrAdd(OtherReasons, static _ => new StrongBox<long>()) : reasons.GetOrAdd(reason, static _ => new StrongBox<long>());
        }

        Interlocked.Add(ref box.Value, count);
    }

    private sealed class Buffer
    {
        public readonly LatencyHistogram OkResponse = new();
        public readonly LatencyHistogram OkService = new();
        public readonly LatencyHistogram FailResponse = new();
        public long Ok;
        public long Fail;
        public long Bytes;
        public int Writers;

        public void Reset()
        {
            OkResponse.Reset();
            OkService.Reset();
            FailResponse.Reset();
            Ok = 0;
            Fail = 0;
            Bytes = 0;
        }
    }

    private sealed class StatusCounter
    {
        public long Ok;
        public long Fail;
    }

    private sealed class StepRecorder(string name)
    {
        private readonly LatencyHistogram _latency = new();
        private readonly ConcurrentDictionary<string, StrongBox<long>> _reasons = new(StringComparer.Ordinal);
        private long _ok;
        private long _fail;

        public void Record(Response response, TimeSpan elapsed)
        {
            if (response.IsOk)
            {
                _latency.Record(elapsed);
                Interlocked.Increment(ref _ok);
            }
            else
            {
                Interlocked.Increment(ref _fail);
                CountReason(_reasons, response.Reason ?? "unspecified failure", 1);
            }
        }

        public StepStats ToStats() => new(
            name,
            Volatile.Read(ref _ok),
            Volatile.Read(ref _fail),
            _latency.ToStats(),
            [.. _reasons.Select(p => new ReasonCount(p.Key, p.Value.Value)).OrderByDescending(r => r.Count)]);
    }
}
