using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Transactions;

/// <summary>How a grain's state or record is copied into a draft.</summary>
internal static class Drafts
{
    /// <summary>
    /// A deep copy of <paramref name="state"/>: the state's own copy when it makes one
    /// (<see cref="ICopyableState{TState}"/>), a serialization round trip otherwise.
    /// </summary>
    public static TState Of<TState>(TState state, IGrainStateSerializer serializer)
        where TState : class =>
        state is ICopyableState<TState> copyable ? copyable.Copy() : serializer.Deserialize<TState>(serializer.Serialize(state));
}
