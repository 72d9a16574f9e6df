namespace OrleansVoucher.Silo.Transactions;

/// <summary>How a transaction ended, as its participants are told.</summary>
public enum TransactionStatus
{
    /// <summary>The unit is durable; the participant's prospective state is now its state.</summary>
    Committed,

    /// <summary>The unit was never sent to the store: the participant's stored state is unchanged.</summary>
    Aborted,

    /// <summary>
    /// The commit failed, or its outcome is unknown (the store may or may not hold it). The participant's
    /// in-memory state can no longer be trusted and must be reloaded from the store, which is the truth.
    /// </summary>
    Failed,
}
