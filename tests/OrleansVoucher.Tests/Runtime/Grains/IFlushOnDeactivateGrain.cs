namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>
/// Keeps its count in memory and writes it only when it is deactivated. While the counter
/// <c>{key}:hold-deactivation</c> is positive, its deactivation hook sets <c>{key}:deactivating</c> and
/// waits for <c>{key}:may-deactivate</c> before writing.
/// </summary>
public interface IFlushOnDeactivateGrain : IGrainWithStringKey
{
    Task<int> AddAsync(int amount);

    Task DeactivateAsync();
}

public sealed class FlushOnDeactivateGrain(GrainProbe probe, [PersistentState("flushed")] IPersistentState<CounterState> state) : Grain, IFlushOnDeactivateGrain
{
    public Task<int> AddAsync(int amount)
    {
        state.State.Value += amount;
        return Task.FromResult(state.State.Value);
    }

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        if (probe.Count($"{key}:hold-deactivation") > 0)
        {
            probe.Set($"{key}:deactivating");
            await probe.WhenSet($"{key}:may-deactivate");
        }

        await state.WriteStateAsync(cancellationToken);
    }
}
