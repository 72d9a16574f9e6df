namespace OrleansVoucher.Silo.Transactions;

/// <summary>
/// A state that makes its own drafts: a copy that shares nothing a change could write to, so that
/// changing the copy never changes the committed state. <see cref="TransactionalState{TState}.Draft"/>
/// uses it instead of a serialization round trip, which hot states would otherwise pay on every change.
/// </summary>
/// <typeparam name="TState">The state class.</typeparam>
public interface ICopyableState<out TState>
    where TState : class
{
    /// <summary>A copy to change and write; the committed state stays as it is whatever the copy goes through.</summary>
    TState Copy();
}
