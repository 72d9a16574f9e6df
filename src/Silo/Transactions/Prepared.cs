using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Transactions;

/// <summary>
/// A participant's answer to a prepare request: the conditional write of its prospective state, or no
/// write when it refused (or had nothing to change), with a value for the coordinator either way.
/// </summary>
/// <remarks>
/// A participant that keeps its data in several records (its own state and records under keys of its
/// choosing, see <see cref="TransactionalRecord{TState}"/>) answers with all their writes
/// (<see cref="Writes"/>); the coordinator commits them in the same unit and tells the participant the
/// outcome once, with the version of the first.
/// </remarks>
/// <typeparam name="T">What the participant reports: a decision, a reason, facts the coordinator needs.</typeparam>
/// <param name="Write">The write to include in the transaction's unit; null when the participant holds nothing pending.</param>
/// <param name="Value">The participant's report.</param>
public sealed record Prepared<T>(StateWrite? Write, T Value)
{
    private IReadOnlyList<StateWrite>? _writes;

    /// <summary>The answer of a participant whose prospective change spans several of its records.</summary>
    /// <param name="writes">The records' writes, all or none of which commit; the first one's version is the outcome's.</param>
    /// <param name="value">The participant's report.</param>
    public static Prepared<T> Of(IReadOnlyList<StateWrite> writes, T value)
    {
        ArgumentNullException.ThrowIfNull(writes);
        return new Prepared<T>(writes.Count > 0 ? writes[0] : null, value) { _writes = writes };
    }

    /// <summary>Every write of the participant, in order; empty when it holds nothing pending.</summary>
    public IReadOnlyList<StateWrite> Writes => _writes ?? (Write is { } write ? [write] : []);

    /// <summary>Whether the participant holds a prospective state that awaits the outcome.</summary>
    public bool HasWrite => Write is not null;
}
