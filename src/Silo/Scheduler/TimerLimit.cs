namespace OrleansVoucher.Silo.Scheduler;

/// <summary>
/// The longest span a timer can wait (about 49.7 days). The silo reads a timeout or period beyond it as
/// "no limit" rather than failing every call or its idle collection on an over-long setting.
/// </summary>
internal static class TimerLimit
{
    /// <summary>The longest span a timer accepts.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Whether a timer can measure <paramref name="span"/>.</summary>
    public static bool IsBounded(TimeSpan span) => span <= Max;

    /// <summary>A source cancelled after <paramref name="span"/>, or never if the span is beyond a timer's reach.</summary>
    public static CancellationTokenSource CancelAfter(TimeSpan span, TimeProvider timeProvider) =>
        IsBounded(span) ? new CancellationTokenSource(span, timeProvider) : new CancellationTokenSource();
}
