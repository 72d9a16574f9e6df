namespace OrleansVoucher.Silo.Transactions;

/// <summary>What a coordinator tells a participant once a transaction has ended.</summary>
/// <param name="Transaction">The transaction.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Version">The participant's new stored version when <see cref="TransactionStatus.Committed"/>; otherwise 0.</param>
public readonly record struct TransactionOutcome(TransactionId Transaction, TransactionStatus Status, long Version)
{
    /// <summary>The outcome of a transaction that committed with <paramref name="version"/> for this participant.</summary>
    public static TransactionOutcome Committed(TransactionId transaction, long version) => new(transaction, TransactionStatus.Committed, version);

    /// <summary>The outcome of a transaction abandoned before its commit.</summary>
    public static TransactionOutcome Aborted(TransactionId transaction) => new(transaction, TransactionStatus.Aborted, 0);

    /// <summary>The outcome of a transaction whose commit failed or may have failed.</summary>
    public static TransactionOutcome Failed(TransactionId transaction) => new(transaction, TransactionStatus.Failed, 0);
}
