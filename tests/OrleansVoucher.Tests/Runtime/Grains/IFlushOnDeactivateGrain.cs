namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>Keeps its count in memory and writes it only when it is deactivated.</summary>
public interface IFlushOnDeactivateGrain : IGrainWithStringKey
{
    Task<int> AddAsync(int amount);
}

public sealed class FlushOnDeactivateGrain([PersistentState("flushed")] IPersistentState<CounterState> state) : Grain, IFlushOnDeactivateGrain
{
    public Task<int> AddAsync(int amount)
    {
        state.State.Value += amount;
        return Task.FromResult(state.State.Value);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => state.WriteStateAsync(cancellationToken);
}
