using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Transactions;

/// <summary>
/// A persisted record a grain keeps besides its own state, under a key of the grain's choosing: one per
/// member of a collection that would make the grain's state grow without bound, so that a change to one
/// member writes (and copies) that member's record alone. It behaves as <see cref="TransactionalState{TState}"/>
/// does: changes are made on a copy (<see cref="Draft"/>) that becomes the record only once it is durable,
/// a draft can be held pending for a transaction, and every write is conditional on the version read.
/// </summary>
/// <remarks>
/// <para>
/// The grain that keeps a record is the only writer it means to have; as for its own state, the version
/// check is what guards against a second activation of the grain (in this process or another) writing
/// the record too. A write that loses the race, fails or ends unknown marks the record
/// <see cref="IsStale"/>: nothing of it may be used until <see cref="ReadAsync"/> has read it again.
/// </para>
/// <para>
/// A record starts as that of a key the store has never held (empty, version 0): one under a key the grain
/// knows to be new (derived from something only it hands out) is used as it is, without asking the
/// store; any other is read first (<see cref="ReadAsync"/>).
/// </para>
/// </remarks>
/// <typeparam name="TState">The record's class.</typeparam>
public sealed class TransactionalRecord<TState>
    where TState : class, new()
{
    private readonly IGrainStorage _storage;
    private readonly IGrainStateSerializer _serializer;
    private readonly TimeProvider _timeProvider;
    private PendingDraft? _pending;

    /// <summary>The record under <paramref name="key"/>, as of a key the store has never held; read it to have what the store holds.</summary>
    public TransactionalRecord(GrainStateKey key, IGrainStorage storage, IGrainStateSerializer serializer, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Key = key;
        _storage = storage;
        _serializer = serializer;
        _timeProvider = timeProvider;
    }

    /// <summary>The record's storage key.</summary>
    public GrainStateKey Key { get; }

    /// <summary>The committed record. Do not change it: change a <see cref="Draft"/> instead.</summary>
    public TState State { get; private set; } = new();

    /// <summary>The stored version <see cref="State"/> carries; 0 when the store holds nothing under the key.</summary>
    public long Version { get; private set; }

    /// <summary>Whether the store holds the record (written and not cleared).</summary>
    public bool RecordExists { get; private set; }

    /// <summary>
    /// Whether a write of the record failed or ended unknown (or a pending draft was abandoned), so that
    /// <see cref="State"/> may not be what the store holds: read it again before using it.
    /// </summary>
    public bool IsStale { get; private set; }

    /// <summary>
    /// Whether a prepared draft awaits its outcome, so the record must not be changed for now. A draft
    /// past <see cref="TransactionalState{TState}.PendingLease"/> is dropped here and the record marked stale.
    /// </summary>
    public bool IsBusy
    {
        get
        {
            if (_pending is not { } pending)
            {
                return false;
            }

            if (_timeProvider.GetElapsedTime(pending.PreparedAt) < TransactionalState<TState>.PendingLease)
            {
                return true;
            }

            // The coordinator never reported back: its commit may or may not have landed.
            _pending = null;
            IsStale = true;
            return true;
        }
    }

    /// <summary>The transaction whose draft is pending, if any.</summary>
    public TransactionId? PendingTransaction => _pending?.Transaction;

    /// <summary>Reads the record from the store, dropping any pending draft and clearing <see cref="IsStale"/>.</summary>
    public async Task ReadAsync(CancellationToken cancellationToken = default)
    {
        _pending = null;
        var stored = await _storage.ReadAsync(Key, cancellationToken).ConfigureAwait(false);
        State = stored.Payload is { } payload ? _serializer.Deserialize<TState>(payload) : new TState();
        Version = stored.Version;
        RecordExists = stored.RecordExists;
        IsStale = false;
    }

    /// <summary>
    /// A deep copy of the committed record, to change and then prepare or write: the record's own copy when
    /// it makes one (<see cref="ICopyableState{TState}"/>), a serialization round trip otherwise.
    /// </summary>
    public TState Draft() => Drafts.Of(State, _serializer);

    /// <summary>
    /// Holds <paramref name="draft"/> as the record's prospective state in <paramref name="transaction"/>
    /// (null: the record is to be cleared) and returns its conditional write for the coordinator's unit.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another draft is pending, or the record is stale.</exception>
    public StateWrite Prepare(TransactionId transaction, TState? draft)
    {
        ThrowIfNotWritable();
        var write = StateWrite.Of(Key, Version, draft, _serializer);
        _pending = new PendingDraft(transaction, draft, Version, _timeProvider.GetTimestamp());
        return write;
    }

    /// <summary>
    /// Applies a transaction's outcome: a committed draft becomes the record (at the version after the
    /// one it was built on); an aborted one is dropped; after a failed or unknown outcome the record is
    /// stale. An outcome for a transaction the record holds no draft of is ignored unless it claims a
    /// commit or a failure: then the record may have missed a change, and is stale.
    /// </summary>
    public void Complete(TransactionOutcome outcome)
    {
        if (_pending is not { } pending || pending.Transaction != outcome.Transaction)
        {
            if (outcome.Status != TransactionStatus.Aborted)
            {
                IsStale = true;
            }

            return;
        }

        _pending = null;
        switch (outcome.Status)
        {
            case TransactionStatus.Committed:
                Apply(pending.Draft, pending.ExpectedVersion + 1);
                break;
            case TransactionStatus.Failed:
                IsStale = true;
                break;
            case TransactionStatus.Aborted:
                break;
        }
    }

    /// <summary>
    /// Writes <paramref name="draft"/> (null: clears the record) and <paramref name="events"/> atomically,
    /// as this record's change alone. On failure the record is stale and the exception propagates.
    /// </summary>
    /// <exception cref="InvalidOperationException">A draft is pending, or the record is stale.</exception>
    public async Task WriteAsync(TState? draft, IReadOnlyList<StreamEventWrite> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ThrowIfNotWritable();
        var write = StateWrite.Of(Key, Version, draft, _serializer);
        IReadOnlyList<long> versions;
        try
        {
            versions = await _storage.CommitAsync(new WriteUnit([write], events), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A lost race or a storage fault: the store holds another version, or may.
            IsStale = true;
            throw;
        }

        Apply(draft, versions[0]);
    }

    private void Apply(TState? draft, long version)
    {
        State = draft ?? new TState();
        RecordExists = draft is not null;
        Version = version;
    }

    private void ThrowIfNotWritable()
    {
        if (_pending is not null)
        {
            throw new InvalidOperationException($"Record {Key} holds the draft of transaction {_pending.Transaction}.");
        }

        if (IsStale)
        {
            throw new InvalidOperationException($"Record {Key} is stale: read it again before changing it.");
        }
    }

    private sealed record PendingDraft(TransactionId Transaction, TState? Draft, long ExpectedVersion, long PreparedAt);
}
