using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Transactions;

/// <summary>
/// A participant's answer to a prepare request: the conditional write of its prospective state, or no
/// write when it refused (or had nothing to change), with a value for the coordinator either way.
/// </summary>
/// <typeparam name="T">What the participant reports: a decision, a reason, facts the coordinator needs.</typeparam>
/// <param name="Write">The write to include in the transaction's unit; null when the participant holds nothing pending.</param>
/// <param name="Value">The participant's report.</param>
public sealed record Prepared<T>(StateWrite? Write, T Value)
{
    /// <summary>Whether the participant holds a prospective state that awaits the outcome.</summary>
    public bool HasWrite => Write is not null;
}
