using OrleansVoucher.Silo;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.SiloHost;

/// <summary>A counter whose every increment is written before the call returns.</summary>
public interface IDurableCounterGrain : IGrainWithStringKey
{
    /// <summary>Adds one, writes the state, and returns the new value once it is durable.</summary>
    Task<long> IncrementAsync();

    /// <summary>The current value.</summary>
    Task<long> GetAsync();
}

/// <summary>The stored state of <see cref="DurableCounterGrain"/>.</summary>
public sealed class DurableCounterState
{
    /// <summary>The count.</summary>
    public long Value { get; set; }
}

/// <summary>The grain behind <see cref="IDurableCounterGrain"/>.</summary>
[GrainType("durable-counter")]
public sealed class DurableCounterGrain([PersistentState("count")] IPersistentState<DurableCounterState> state) : Grain, IDurableCounterGrain
{
    /// <inheritdoc />
    public async Task<long> IncrementAsync()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    /// <inheritdoc />
    public Task<long> GetAsync() => Task.FromResult(state.State.Value);
}
