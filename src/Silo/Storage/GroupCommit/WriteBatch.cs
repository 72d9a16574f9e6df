namespace OrleansVoucher.Silo.Storage.GroupCommit;

/// <summary>
/// Units committed together in one transaction. No two units of a batch write the same state, so
/// a store may apply them in any order and decide each unit's version checks independently.
/// </summary>
internal sealed class WriteBatch
{
    public WriteBatch(IReadOnlyList<PendingWrite> units)
    {
        Units = units;
        foreach (var unit in units)
        {
            StateCount += unit.Unit.States.Count;
            EventCount += unit.Unit.Events.Count;
            HasMultiStateUnits |= unit.Unit.States.Count > 1;
        }
    }

    /// <summary>The units, in the order their callers committed them.</summary>
    public IReadOnlyList<PendingWrite> Units { get; }

    /// <summary>State writes over all units.</summary>
    public int StateCount { get; }

    /// <summary>Stream events over all units.</summary>
    public int EventCount { get; }

    /// <summary>
    /// Whether a unit writes more than one state, so that a version check can fail after another state
    /// of the same unit was written.
    /// </summary>
    public bool HasMultiStateUnits { get; }

    /// <summary>Whether the batch appends stream events.</summary>
    public bool HasEvents => EventCount > 0;
}

/// <summary>Runs one batch of a <see cref="GroupCommitWriter"/> as one durable transaction.</summary>
internal interface IWriteBatchExecutor
{
    /// <summary>
    /// Commits the batch. Before the returned task completes, every unit is marked
    /// <see cref="WriteOutcome.Written"/> (durably committed) or <see cref="WriteOutcome.Conflict"/>
    /// (nothing of it written). Throws when the transaction failed or its outcome is unknown.
    /// </summary>
    Task ExecuteAsync(WriteBatch batch);
}
