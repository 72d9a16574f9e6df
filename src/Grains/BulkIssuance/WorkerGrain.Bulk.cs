using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Grains.Workers;

/// <summary>The worker's part in bulk issuance.</summary>
internal sealed partial class WorkerGrain : IBulkWorkerParticipant
{
    public Task<Prepared<BulkGrantVote>> PrepareBulkGrantAsync(TransactionId transaction, BulkGrant bulk)
    {
        ArgumentNullException.ThrowIfNull(bulk);
        var grant = bulk.Grant;
        if (_state.IsBusy)
        {
            return Vote(Attempts.Busy());
        }

        var state = _state.State;
        foreach (var (code, held) in state.Held)
        {
            if (held.RosterId is not { } tag || !tag.StartsWith(bulk.JobTagPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            // Exactly once: the row was issued by an earlier attempt; answer with its voucher.
            return Task.FromResult(tag == grant.RosterId
                ? new Prepared<BulkGrantVote>(null, new BulkGrantVote(Result.Ok, code, Duplicate: false, Registered: false))
                : new Prepared<BulkGrantVote>(null, new BulkGrantVote(Result.Ok, null, Duplicate: true, Registered: false)));
        }

        var registers = state.Attributes is null && bulk.Attributes is not null;
        var attributes = state.Attributes ?? bulk.Attributes;
        if (attributes is null)
        {
            return Vote(Result.Reject(RejectionCode.WorkerNotRegistered, $"Worker {Id} is not registered and the row names no attributes; eligibility cannot be decided."));
        }

        // R6
        if (Eligibility.Check(grant.Eligibility, attributes, Id, grant.CampaignRegion, ChinaTime.DateOf(grant.Now)) is { } ineligible)
        {
            return Vote(Result.Reject(RejectionCode.NotEligible, ineligible));
        }

        // R7
        if (grant.OneLiveVoucher && state.Held.FirstOrDefault(h => h.Value.Status is VoucherStatus.Issued or VoucherStatus.Claimed && h.Value.Deadline > grant.Now) is { Key: { } live })
        {
            return Vote(Result.Reject(RejectionCode.LiveVoucherHeld, $"The worker holds voucher {live}, valid and unused."));
        }

        // A worker the engine has never seen has nothing to copy.
        var draft = _state.RecordExists ? _state.Draft() : new WorkerState();
        if (registers)
        {
            draft.Attributes = attributes;
        }

        draft.Held[grant.Code] = new HeldState { CampaignId = grant.CampaignId, Status = grant.Status, Deadline = grant.Deadline, RosterId = grant.RosterId };
        return Task.FromResult(new Prepared<BulkGrantVote>(_state.Prepare(transaction, draft), new BulkGrantVote(Result.Ok, null, Duplicate: false, registers)));

        static Task<Prepared<BulkGrantVote>> Vote(Result rejection) =>
            Task.FromResult(new Prepared<BulkGrantVote>(null, new BulkGrantVote(rejection, null, Duplicate: false, Registered: false)));
    }
}
