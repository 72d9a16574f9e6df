namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>A persistent counter that reports its constructions, activation and deactivation hooks.</summary>
public interface ILifecycleGrain : IGrainWithStringKey
{
    Task<LifecycleReport> GetReportAsync();

    Task<int> IncrementAsync();

    /// <summary>Waits for the signal <paramref name="gate"/> inside a call, keeping the activation busy.</summary>
    Task HoldAsync(string gate);

    Task DeactivateAsync();
}

/// <param name="ActivationId">Distinct for every activation.</param>
/// <param name="Activated">Whether OnActivateAsync had completed when the call ran.</param>
/// <param name="ValueOnActivate">The stored value OnActivateAsync saw.</param>
/// <param name="Value">The value now.</param>
public sealed record LifecycleReport(Guid ActivationId, bool Activated, int ValueOnActivate, int Value);

public sealed class LifecycleGrain : Grain, ILifecycleGrain
{
    private readonly GrainProbe _probe;
    private readonly IPersistentState<CounterState> _state;
    private readonly Guid _activationId = Guid.NewGuid();
    private bool _activated;
    private int _valueOnActivate;

    public LifecycleGrain(GrainProbe probe, [PersistentState("lifecycle")] IPersistentState<CounterState> state)
    {
        _probe = probe;
        _state = state;
        probe.Increment($"{this.GetPrimaryKeyString()}:constructed");
    }

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _valueOnActivate = _state.State.Value;
        _activated = true;
        _probe.Record($"{Key}:activate");
        _probe.Increment($"{Key}:activations");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _probe.Record($"{Key}:deactivate:{reason}");
        _probe.Increment($"{Key}:deactivations");
        _probe.Increment("deactivations");
        return Task.CompletedTask;
    }

    public Task<LifecycleReport> GetReportAsync()
    {
        _probe.Record($"{Key}:call");
        return Task.FromResult(new LifecycleReport(_activationId, _activated, _valueOnActivate, _state.State.Value));
    }

    public async Task<int> IncrementAsync()
    {
        _state.State.Value++;
        await _state.WriteStateAsync();
        return _state.State.Value;
    }

    public async Task HoldAsync(string gate)
    {
        _probe.Set($"{Key}:holding");
        await _probe.WhenSet(gate);
    }

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
