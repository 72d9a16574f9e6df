using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Common;

namespace OrleansVoucher.Grains.Workers;

/// <summary>The worker's part in bulk issuance.</summary>
internal sealed partial class WorkerGrain : IBulkWorkerParticipant
{
    public async Task<Prepared<BulkGrantVote>> PrepareBulkGrantAsync(TransactionId transaction, BulkGrant bulk)
    {
        ArgumentNullException.ThrowIfNull(bulk);
        if (_state.IsBusy)
        {
            return new Prepared<BulkGrantVote>(null, new BulkGrantVote(Attempts.Busy(), null, Duplicate: false, Registered: false));
        }

        var (vote, draft) = Decide(bulk);
        if (MayBeStale(vote.Rejection))
        {
            // A row's refusal is final: confirm it on the store, as a claim's is (ConfirmedGrantRefusalAsync).
            await _state.ReloadAsync();
            (vote, draft) = Decide(bulk);
        }

        return new Prepared<BulkGrantVote>(draft is null ? null : _state.Prepare(transaction, draft), vote);
    }

    /// <summary>The decision on <paramref name="bulk"/> on the committed state; a worker the engine has never seen has nothing to copy.</summary>
    private (BulkGrantVote Vote, WorkerState? Draft) Decide(BulkGrant bulk) =>
        DecideBulkGrant(Id, _state.State, bulk, _state.RecordExists ? _state.Draft : static () => new WorkerState());

    /// <summary>
    /// The worker's decision on a bulk grant, made on <paramref name="state"/>: the vote, and the worker's
    /// new state when the grant is to be written (a copy from <paramref name="draftOf"/>, changed).
    /// Bulk issuance calls it for a worker it finds with no record and no activation, on a fresh state,
    /// so both paths decide by this one method.
    /// </summary>
    internal static (BulkGrantVote Vote, WorkerState? Draft) DecideBulkGrant(string citizenId, WorkerState state, BulkGrant bulk, Func<WorkerState> draftOf)
    {
        var grant = bulk.Grant;
        foreach (var (code, held) in state.Held)
        {
            if (held.RosterId is not { } tag || !tag.StartsWith(bulk.JobTagPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            // Exactly once: the row was issued by an earlier attempt; answer with its voucher.
            return tag == grant.RosterId
                ? (new BulkGrantVote(Result.Ok, code, Duplicate: false, Registered: false), null)
                : (new BulkGrantVote(Result.Ok, null, Duplicate: true, Registered: false), null);
        }

        var registers = state.Attributes is null && bulk.Attributes is not null;
        var attributes = state.Attributes ?? bulk.Attributes;
        if (attributes is null)
        {
            return Refused(Result.Reject(RejectionCode.WorkerNotRegistered, $"Worker {citizenId} is not registered and the row names no attributes; eligibility cannot be decided."));
        }

        if (HolderRefusal(citizenId, attributes, state, grant) is { } refused)
        {
            return Refused(refused);
        }

        var draft = draftOf();
        if (registers)
        {
            draft.Attributes = attributes;
        }

        Hold(draft, grant);
        return (new BulkGrantVote(Result.Ok, null, Duplicate: false, registers), draft);

        static (BulkGrantVote, WorkerState?) Refused(Result rejection) => (new BulkGrantVote(rejection, null, Duplicate: false, Registered: false), null);
    }
}
