using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Transactions;

/// <summary>
/// Commits the prospective states of several grains, and the stream events announcing the change, as
/// one <see cref="WriteUnit"/>: every state's version check passes and all of it is durable, or none of
/// it is. Then it tells each participant the outcome.
/// </summary>
/// <remarks>
/// The coordinating grain asks each participant to prepare (the participant returns its conditional
/// write and keeps the draft pending), enlists the write with a callback that delivers the outcome, and
/// commits. Whatever happens, every enlisted participant hears exactly one outcome: committed with its
/// new version, aborted (nothing was sent to the store), or failed (the store may or may not hold the
/// unit, so the participant reloads). Disposing an uncommitted coordinator aborts it, so an early
/// return or an exception between prepares never strands a pending draft.
/// </remarks>
public sealed class TransactionCoordinator : IAsyncDisposable
{
    private readonly IGrainStorage _storage;
    private readonly List<Participant> _participants = [];
    private readonly List<StreamEventWrite> _events = [];
    private bool _ended;

    /// <summary>Starts a transaction against <paramref name="storage"/>, the store every participant's state lives in.</summary>
    public TransactionCoordinator(IGrainStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
    }

    /// <summary>The transaction's identifier, to pass to participants when asking them to prepare.</summary>
    public TransactionId Id { get; } = TransactionId.New();

    /// <summary>
    /// Whether the unit creates many states that are almost surely new, so that the store may insert them
    /// by its bulk path (see <see cref="WriteUnit.InsertsInBulk"/>).
    /// </summary>
    public bool InsertsInBulk { get; init; }

    /// <summary>How many participants are enlisted.</summary>
    public int ParticipantCount => _participants.Count;

    /// <summary>
    /// Adds a participant's write to the unit. <paramref name="complete"/> is called exactly once with the
    /// transaction's outcome for this participant.
    /// </summary>
    public void Enlist(StateWrite write, Func<TransactionOutcome, Task> complete) => Enlist([write], complete);

    /// <summary>
    /// Adds the writes of a participant that keeps its data in several records (see
    /// <see cref="Prepared{T}.Writes"/>): they commit together with the rest of the unit or not at all.
    /// <paramref name="complete"/> is called exactly once with the outcome; a committed outcome carries
    /// the new version of the first write (each write's new version is its expected version plus one).
    /// </summary>
    public void Enlist(IReadOnlyList<StateWrite> writes, Func<TransactionOutcome, Task> complete)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(complete);
        ObjectDisposedException.ThrowIf(_ended, this);
        if (writes.Count == 0)
        {
            throw new ArgumentException("A participant enlists at least one write.", nameof(writes));
        }

        _participants.Add(new Participant(writes, complete));
    }

    /// <summary>
    /// Waits for a participant's answer to a prepare request and enlists its writes, if it has any, with
    /// <paramref name="complete"/> to deliver the outcome.
    /// </summary>
    /// <remarks>
    /// Should the wait fail (the call timed out, say), the participant may still prepare after the
    /// coordinator has gone: a call that timed out stays in its grain's queue. The participant is then
    /// told that the transaction aborted; a grain takes its calls in order, so it hears that after the
    /// late prepare and drops the draft at once, instead of refusing changes until the pending lease
    /// runs out.
    /// </remarks>
    /// <param name="prepare">The participant's prepare call, made with this transaction's <see cref="Id"/>.</param>
    /// <param name="complete">Delivers the outcome to the participant.</param>
    public async Task<Prepared<T>> PrepareAsync<T>(Task<Prepared<T>> prepare, Func<TransactionOutcome, Task> complete)
    {
        ArgumentNullException.ThrowIfNull(prepare);
        ArgumentNullException.ThrowIfNull(complete);
        Prepared<T> vote;
        try
        {
            vote = await prepare.ConfigureAwait(false);
        }
        catch
        {
            Abandon(complete);
            throw;
        }

        if (vote.HasWrite)
        {
            Enlist(vote.Writes, complete);
        }

        return vote;
    }

    /// <summary>
    /// Tells a participant that was asked to prepare, but is not enlisted, that the transaction aborted,
    /// without waiting for it to hear: its prepare may still be queued behind other calls. A participant
    /// that holds no draft of this transaction ignores the news.
    /// </summary>
    public void Abandon(Func<TransactionOutcome, Task> complete)
    {
        ArgumentNullException.ThrowIfNull(complete);
        _ = TellAbortedAsync(complete, Id);

        static async Task TellAbortedAsync(Func<TransactionOutcome, Task> complete, TransactionId id)
        {
            try
            {
                await complete(TransactionOutcome.Aborted(id)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A participant that does not hear it drops the draft when the pending lease runs out.
            }
        }
    }

    /// <summary>Adds an event, appended to its stream in the same unit as the states.</summary>
    public void Publish(StreamEventWrite streamEvent)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        _events.Add(streamEvent);
    }

    /// <summary>Every participant's writes, in enlistment order (a bulk batch enlists thousands: no iterators).</summary>
    private StateWrite[] AllWrites()
    {
        var count = 0;
        foreach (var participant in _participants)
        {
            count += participant.Writes.Count;
        }

        var writes = new StateWrite[count];
        var next = 0;
        foreach (var participant in _participants)
        {
            for (var i = 0; i < participant.Writes.Count; i++)
            {
                writes[next++] = participant.Writes[i];
            }
        }

        return writes;
    }

    /// <summary>
    /// Commits the unit and tells every participant. Returns true when it committed, false when a
    /// version check failed (nothing was written; participants reload). Throws when the store failed,
    /// after telling participants the outcome is unknown.
    /// </summary>
    public async Task<bool> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        _ended = true;
        if (_participants.Count == 0 && _events.Count == 0)
        {
            return true;
        }

        IReadOnlyList<long> versions;
        try
        {
            versions = await _storage.CommitAsync(new WriteUnit(AllWrites(), [.. _events]) { InsertsInBulk = InsertsInBulk }, cancellationToken).ConfigureAwait(false);
        }
        catch (InconsistentStateException)
        {
            await NotifyAsync(_ => TransactionOutcome.Failed(Id)).ConfigureAwait(false);
            return false;
        }
        catch
        {
            await NotifyAsync(_ => TransactionOutcome.Failed(Id)).ConfigureAwait(false);
            throw;
        }

        // The unit's versions are in the order of the participants' writes: each participant hears its first's.
        var firsts = new int[_participants.Count];
        for (var i = 1; i < firsts.Length; i++)
        {
            firsts[i] = firsts[i - 1] + _participants[i - 1].Writes.Count;
        }

        await NotifyAsync(i => TransactionOutcome.Committed(Id, versions[firsts[i]])).ConfigureAwait(false);
        return true;
    }

    /// <summary>Abandons the transaction before its commit: every participant drops its draft.</summary>
    public async Task AbortAsync()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        await NotifyAsync(_ => TransactionOutcome.Aborted(Id)).ConfigureAwait(false);
    }

    /// <summary>Aborts the transaction unless it was committed or aborted already.</summary>
    public async ValueTask DisposeAsync() => await AbortAsync().ConfigureAwait(false);

    private async Task NotifyAsync(Func<int, TransactionOutcome> outcomeOf)
    {
        for (var i = 0; i < _participants.Count; i++)
        {
            try
            {
                await _participants[i].Complete(outcomeOf(i)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Keep telling the others; the transaction's outcome stands. A participant that did not
                // hear it drops its draft when the pending lease runs out and reloads from the store.
            }
        }

        _participants.Clear();
    }

    private sealed record Participant(IReadOnlyList<StateWrite> Writes, Func<TransactionOutcome, Task> Complete);
}
