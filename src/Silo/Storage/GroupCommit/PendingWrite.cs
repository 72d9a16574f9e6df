namespace OrleansVoucher.Silo.Storage.GroupCommit;

/// <summary>
/// A write unit waiting for its group commit: the caller's task, the unit, and the outcome the
/// committing store records for it while it runs the batch.
/// </summary>
internal sealed class PendingWrite
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Cancelled = 2;

    private readonly TaskCompletionSource<IReadOnlyList<long>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;
    private int _state;

    public PendingWrite(WriteUnit unit) => Unit = unit;

    /// <summary>The unit to commit.</summary>
    public WriteUnit Unit { get; }

    /// <summary>The caller's task: the new versions once the unit is durable.</summary>
    public Task<IReadOnlyList<long>> Task => _completion.Task;

    /// <summary>What the store decided for the unit in the current batch.</summary>
    public WriteOutcome Outcome { get; private set; }

    /// <summary>The lost version check, when <see cref="Outcome"/> is <see cref="WriteOutcome.Conflict"/>.</summary>
    public InconsistentStateException? Conflict { get; private set; }

    /// <summary>Whether any of the unit's events must be appended.</summary>
    public bool HasEvents => Unit.Events.Count > 0;

    /// <summary>
    /// Lets <paramref name="cancellationToken"/> cancel the caller's task while the unit still waits in
    /// the queue. Once a batch has taken the unit it runs to its real outcome, because the caller must
    /// never be told a unit failed when it may have committed.
    /// </summary>
    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingWrite)state!).TryCancel(token), this);
        }
    }

    /// <summary>Claims the unit for a batch; false when its caller cancelled first.</summary>
    public bool TryTake()
    {
        if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued)
        {
            return false;
        }

        _cancellation.Unregister();
        return true;
    }

    /// <summary>Records that every state write of the unit passed its version check.</summary>
    public void MarkWritten() => Outcome = WriteOutcome.Written;

    /// <summary>Records that the unit lost a version check on <paramref name="key"/>.</summary>
    public void MarkConflict(GrainStateKey key, long expectedVersion, long? storedVersion)
    {
        Outcome = WriteOutcome.Conflict;
        Conflict = new InconsistentStateException(key, expectedVersion, storedVersion == expectedVersion ? null : storedVersion);
    }

    /// <summary>Forgets a tentative outcome when the transaction that produced it rolled back.</summary>
    public void ResetOutcome()
    {
        if (Outcome == WriteOutcome.Written)
        {
            Outcome = WriteOutcome.None;
        }
    }

    /// <summary>Completes the caller's task with the new versions.</summary>
    public void CompleteCommitted()
    {
        var states = Unit.States;
        var versions = new long[states.Count];
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i] = states[i].ExpectedVersion + 1;
        }

        _completion.TrySetResult(versions);
    }

    /// <summary>Fails the caller's task.</summary>
    public void Fail(Exception exception) => _completion.TrySetException(exception);

    private void TryCancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
        {
            _completion.TrySetCanceled(token);
        }
    }
}

/// <summary>What a store decided for one unit of a batch.</summary>
internal enum WriteOutcome
{
    /// <summary>Not decided (yet).</summary>
    None,

    /// <summary>All version checks passed and the unit's rows were written in the batch's transaction.</summary>
    Written,

    /// <summary>A version check failed; nothing of the unit was written.</summary>
    Conflict,
}
