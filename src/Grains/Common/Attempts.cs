namespace OrleansVoucher.Grains.Common;

/// <summary>How often an operation is retried after losing a version race on one of its states.</summary>
internal static class Attempts
{
    /// <summary>
    /// Attempts of an atomic write before the operation answers <see cref="RejectionCode.ConcurrentOperation"/>.
    /// A lost race means another activation (in this process or another) wrote first; each participant
    /// reloads, and the next attempt decides on the fresh state.
    /// </summary>
    public const int Max = 3;

    /// <summary>
    /// Attempts of a change to a list that every engine changes (the unfinished jobs, a campaign's jobs).
    /// Each lost race is another engine's change made, so this bounds how many changes may land in
    /// between, not how long the change takes: uploads arriving at several engines at once must not be
    /// refused for the list they all enter.
    /// </summary>
    public const int SharedList = 32;

    /// <summary>The rejection after the last attempt lost its race.</summary>
    public static Result<T> Contended<T>() =>
        Result<T>.Reject(RejectionCode.ConcurrentOperation, "Another operation changed the same records at the same time; retry.");

    /// <summary>The rejection after the last attempt lost its race.</summary>
    public static Result Contended() => Contended<bool>().ToResult();

    /// <summary>The rejection of a grain that holds another operation's pending change.</summary>
    public static Result<T> Busy<T>() =>
        Result<T>.Reject(RejectionCode.ConcurrentOperation, "Another operation on the same record is in progress; retry.");

    /// <summary>The rejection of a grain that holds another operation's pending change.</summary>
    public static Result Busy() => Result.Reject(RejectionCode.ConcurrentOperation, "Another operation on the same record is in progress; retry.");
}
