namespace OrleansVoucher.Silo.Transactions;

/// <summary>Identifies one atomic write that spans several grains' states.</summary>
/// <param name="Value">An opaque, unique value.</param>
public readonly record struct TransactionId(string Value)
{
    /// <summary>A fresh identifier.</summary>
    public static TransactionId New() => new(Guid.NewGuid().ToString("N"));

    /// <inheritdoc />
    public override string ToString() => Value;
}
