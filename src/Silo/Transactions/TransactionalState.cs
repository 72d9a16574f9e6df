using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Transactions;

/// <summary>
/// A grain's persistent state that can take part in transactions spanning several grains. Changes are
/// made on a copy (<see cref="Draft"/>): the copy becomes the state only once it is durable, so a
/// refused or failed transaction never leaves a change in memory that the store does not hold.
/// </summary>
/// <remarks>
/// <para>
/// A participant prepares a draft for a transaction (<see cref="Prepare"/>) and holds it, pending, until
/// the coordinator tells it the outcome (<see cref="Complete"/>). While a draft is pending the grain
/// refuses other changes (<see cref="IsBusy"/>): they would be built on a state that may be about to change.
/// A pending draft whose coordinator never reports back is dropped after <see cref="PendingLease"/>, and
/// the activation reloads from the store, which holds the truth either way.
/// </para>
/// <para>
/// Correctness does not rest on the pending marker: every write is conditional on the version the
/// draft was built on, so of two drafts built on one version at most one can ever commit, whichever
/// process holds them.
/// </para>
/// </remarks>
/// <typeparam name="TState">The state class.</typeparam>
public sealed class TransactionalState<TState>
    where TState : class, new()
{
    /// <summary>How long a prepared draft may wait for its outcome before it is considered abandoned.</summary>
    public static readonly TimeSpan PendingLease = TimeSpan.FromMinutes(2);

    private readonly IPersistentState<TState> _state;
    private readonly IGrainStateSerializer _serializer;
    private readonly TimeProvider _timeProvider;
    private PendingDraft? _pending;

    /// <summary>Wraps a grain's persistent state.</summary>
    public TransactionalState(IPersistentState<TState> state, IGrainStateSerializer serializer, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _state = state;
        _serializer = serializer;
        _timeProvider = timeProvider;
    }

    /// <summary>The committed state. Do not change it: change a <see cref="Draft"/> instead.</summary>
    public TState State => _state.State;

    /// <summary>Whether the store holds a record of this state.</summary>
    public bool RecordExists => _state.RecordExists;

    /// <summary>The stored version the committed state carries.</summary>
    public long Version => _state.Version;

    /// <summary>
    /// Whether a prepared draft awaits its outcome, so the grain must refuse other changes for now. A
    /// draft past its lease is dropped here, and the activation is marked for reload.
    /// </summary>
    public bool IsBusy
    {
        get
        {
            if (_pending is not { } pending)
            {
                return false;
            }

            if (_timeProvider.GetElapsedTime(pending.PreparedAt) < PendingLease)
            {
                return true;
            }

            // The coordinator never reported back: its commit may or may not have landed.
            SetPending(null);
            _state.OnCommitFailed();
            return true;
        }
    }

    /// <summary>The transaction whose draft is pending, if any.</summary>
    public TransactionId? PendingTransaction => _pending?.Transaction;

    /// <summary>
    /// A deep copy of the committed state, to change and then prepare or write: the state's own copy when
    /// it makes one (<see cref="ICopyableState{TState}"/>), a serialization round trip otherwise.
    /// </summary>
    public TState Draft() => Drafts.Of(_state.State, _serializer);

    /// <summary>
    /// Holds <paramref name="draft"/> as this grain's prospective state in <paramref name="transaction"/>
    /// and returns its conditional write for the coordinator's unit.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another draft is pending; check <see cref="IsBusy"/> first.</exception>
    public StateWrite Prepare(TransactionId transaction, TState draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (_pending is not null)
        {
            throw new InvalidOperationException($"State {_state.Key} already holds the draft of transaction {_pending.Transaction}.");
        }

        var write = WriteOf(draft);
        SetPending(new PendingDraft(transaction, draft, _timeProvider.GetTimestamp()));
        return write;
    }

    /// <summary>
    /// Applies a transaction's outcome: a committed draft becomes the state; an aborted one is dropped;
    /// after a failed (or unknown) outcome the activation reloads from the store at the end of the call.
    /// An outcome for a transaction this state does not hold a draft of is ignored unless it claims a
    /// commit, which means this activation missed a change and must reload.
    /// </summary>
    public void Complete(TransactionOutcome outcome)
    {
        if (_pending is not { } pending || pending.Transaction != outcome.Transaction)
        {
            if (outcome.Status != TransactionStatus.Aborted)
            {
                _state.OnCommitFailed();
            }

            return;
        }

        SetPending(null);
        switch (outcome.Status)
        {
            case TransactionStatus.Committed:
                _state.State = pending.Draft;
                _state.OnCommitted(outcome.Version);
                break;
            case TransactionStatus.Failed:
                _state.OnCommitFailed();
                break;
            case TransactionStatus.Aborted:
                break;
        }
    }

    /// <summary>
    /// Writes <paramref name="draft"/> and <paramref name="events"/> atomically, as the new state of this
    /// grain alone. On failure the exception propagates and the activation reloads at the end of the call.
    /// </summary>
    /// <exception cref="InvalidOperationException">A draft is pending; check <see cref="IsBusy"/> first.</exception>
    public async Task WriteAsync(TState draft, IReadOnlyList<StreamEventWrite> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(events);
        if (_pending is not null)
        {
            throw new InvalidOperationException($"State {_state.Key} holds the draft of transaction {_pending.Transaction}.");
        }

        var committed = _state.State;
        _state.State = draft;
        try
        {
            await _state.WriteStateAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _state.State = committed;
            throw;
        }
    }

    /// <summary>
    /// Writes a change that is right whatever the state it is made on — adding to a set, replacing a
    /// setting — on what the store holds: first on this activation's state; when another activation (in
    /// this process or another) wrote the state since, read again and made again, up to
    /// <paramref name="attempts"/> times. <paramref name="change"/> changes the draft it is given and
    /// answers the events to write with it, or null when there is nothing to write. A change found to
    /// have nothing to do is decided on this activation's state, which may be behind: where that could
    /// be wrong (removing what another activation added), read the state first.
    /// </summary>
    /// <exception cref="InconsistentStateException">Every attempt lost its race.</exception>
    public async Task ChangeAsync(Func<TState, IReadOnlyList<StreamEventWrite>?> change, int attempts = 3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        for (var attempt = 1; ; attempt++)
        {
            var draft = Draft();
            if (change(draft) is not { } events)
            {
                return;
            }

            try
            {
                await WriteAsync(draft, events, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InconsistentStateException) when (attempt < attempts)
            {
                await ReloadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// What the store holds now, read without changing this activation's state or a pending draft: for an
    /// answer that must show what another activation, in this process or another, wrote since this one
    /// read the state; null when the store holds no record. Do not change it.
    /// </summary>
    public Task<TState?> ReadStoredAsync(CancellationToken cancellationToken = default) => _state.ReadStoredAsync(cancellationToken);

    /// <summary>Reloads the committed state from the store, dropping any pending draft.</summary>
    public Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        SetPending(null);
        return _state.ReadStateAsync(cancellationToken);
    }

    /// <summary>
    /// Holds or drops the pending draft; while one is held the activation is kept (not replaced for its
    /// age nor collected), so that the outcome finds the draft, for the pending lease at most.
    /// </summary>
    private void SetPending(PendingDraft? pending)
    {
        var held = _pending is not null;
        _pending = pending;
        if (_state is PersistentState<TState> persistent && held != (pending is not null))
        {
            if (held)
            {
                persistent.ReleaseActivation();
            }
            else
            {
                persistent.HoldActivation(PendingLease);
            }
        }
    }

    private StateWrite WriteOf(TState draft)
    {
        var committed = _state.State;
        _state.State = draft;
        try
        {
            return _state.PrepareWrite();
        }
        finally
        {
            _state.State = committed;
        }
    }

    private sealed record PendingDraft(TransactionId Transaction, TState Draft, long PreparedAt);
}
