using OrleansVoucher.Silo.Transactions;

namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>A counter whose changes are transactional: it holds a draft for a transaction until told the outcome.</summary>
public interface IDraftGrain : IGrainWithStringKey
{
    /// <summary>Holds <paramref name="value"/> as the counter's draft in <paramref name="transaction"/>.</summary>
    Task<Prepared<int>> PrepareAsync(TransactionId transaction, int value);

    /// <summary>Sets the signal <c>{key}:holding</c>, then keeps the activation's turn until the signal <paramref name="gate"/>.</summary>
    Task HoldAsync(string gate);

    Task CompleteAsync(TransactionOutcome outcome);

    Task<DraftReport> GetAsync();
}

/// <param name="ActivationId">Distinct for every activation.</param>
/// <param name="Value">The committed value.</param>
/// <param name="Busy">Whether a draft awaits its outcome.</param>
public sealed record DraftReport(Guid ActivationId, int Value, bool Busy);

public sealed class DraftGrain : Grain, IDraftGrain
{
    private readonly Guid _activationId = Guid.NewGuid();
    private readonly GrainProbe _probe;
    private readonly TransactionalState<CounterState> _state;

    public DraftGrain(GrainProbe probe, [PersistentState("draft")] IPersistentState<CounterState> state, IGrainStateSerializer serializer, TimeProvider timeProvider)
    {
        _probe = probe;
        _state = new TransactionalState<CounterState>(state, serializer, timeProvider);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _probe.Record($"{this.GetPrimaryKeyString()}:deactivate:{reason}");
        return Task.CompletedTask;
    }

    public Task<Prepared<int>> PrepareAsync(TransactionId transaction, int value)
    {
        var draft = _state.Draft();
        draft.Value = value;
        return Task.FromResult(new Prepared<int>(_state.Prepare(transaction, draft), value));
    }

    public async Task HoldAsync(string gate)
    {
        _probe.Set($"{this.GetPrimaryKeyString()}:holding");
        await _probe.WhenSet(gate);
    }

    public Task CompleteAsync(TransactionOutcome outcome)
    {
        _state.Complete(outcome);
        return Task.CompletedTask;
    }

    public Task<DraftReport> GetAsync() => Task.FromResult(new DraftReport(_activationId, _state.State.Value, _state.IsBusy));
}
