namespace OrleansVoucher.Tests.LoadTesting;

/// <summary>
/// The load runner's clock in tests (unlike <c>OrleansVoucher.Testing.ManualTimeProvider</c>, which
/// fires timers as a test advances time, this one replays a whole run). It moves only when the test says so. <see cref="RunUntilComplete"/> jumps from timer to
/// timer in due order and fires each on the test's thread, with no synchronisation context, so every
/// continuation of the runner runs inline and a whole load run replays the same way every time, in
/// milliseconds of real time. <see cref="Freeze"/> moves the clock without firing anything: the process
/// stalled (a GC pause, a starved thread pool, a blocking step) and its timers fire late.
/// </summary>
internal sealed class ReplayClock : TimeProvider
{
    private static readonly DateTimeOffset s_epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private long _now;
    private long _sequence;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public TimeSpan Now => TimeSpan.FromTicks(Volatile.Read(ref _now));

    public override long GetTimestamp() => Volatile.Read(ref _now);

    public override DateTimeOffset GetUtcNow() => s_epoch + Now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward without firing timers, as if the process had been frozen.</summary>
    public void Freeze(TimeSpan duration) => Interlocked.Add(ref _now, duration.Ticks);

    /// <summary>Starts <paramref name="start"/> with no synchronisation context, so that its continuations stay on the clock.</summary>
    public Task<T> Start<T>(Func<Task<T>> start)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return start();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Fires timers in due order until <paramref name="task"/> completes; throws if it cannot complete on this clock.</summary>
    public void RunUntilComplete(Task task, TimeSpan limit)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            var deadline = Volatile.Read(ref _now) + limit.Ticks;
            while (!task.IsCompleted)
            {
                ManualTimer? next;
                lock (_gate)
                {
                    next = _timers.Count == 0 ? null : _timers.MinBy(t => (t.Due, t.Sequence));
                }

                if (next is null)
                {
                    throw new InvalidOperationException($"At {Now} nothing is scheduled on the clock, yet the run has not completed.");
                }

                if (next.Due > deadline)
                {
                    throw new TimeoutException($"The run did not complete within {limit} of clock time.");
                }

                if (next.Due > Volatile.Read(ref _now))
                {
                    Volatile.Write(ref _now, next.Due);
                }

                next.Fire();
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private sealed class ManualTimer(ReplayClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public long Due { get; private set; }

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                Due = Volatile.Read(ref clock._now) + Math.Max(0, dueTime.Ticks);
                Sequence = clock._sequence++;
                clock._timers.Add(this);
                return true;
            }
        }

        public void Fire()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
                {
                    Due += _period.Ticks;
                    Sequence = clock._sequence++;
                    clock._timers.Add(this);
                }
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
