namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// A delay on a <see cref="TimeProvider"/>'s own timer, for the exact time asked. (<c>Task.Delay</c> with a
/// time provider rounds down to whole milliseconds, which would make the arrival schedule drift on a
/// test clock.) The task completes on the timer's callback, with no thread hop of its own, so a manual
/// test clock drives the whole run deterministically.
/// </summary>
internal static class ClockDelay
{
    public static Task WaitAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (delay <= TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
        {
            return Task.CompletedTask;
        }

        return new Wait(time, delay, cancellationToken).Task;
    }

    private sealed class Wait : TaskCompletionSource
    {
        private readonly ITimer? _timer;
        private readonly CancellationTokenRegistration _registration;

        public Wait(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
        {
            if (delay != Timeout.InfiniteTimeSpan)
            {
                _timer = time.CreateTimer(static state => ((Wait)state!).Complete(), this, delay, Timeout.InfiniteTimeSpan);
            }

            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Wait)state!).Cancel(token), this);
            }
        }

        private void Complete()
        {
            if (TrySetResult())
            {
                _registration.Unregister();
            }
        }

        private void Cancel(CancellationToken token)
        {
            if (TrySetCanceled(token))
            {
                _timer?.Dispose();
            }
        }
    }
}
