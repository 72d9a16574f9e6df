using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>
/// Bulk issuance: the rows a job routes to this issuer are issued under the same rules as single
/// claims and roster entries, but in one atomic unit per batch (every new voucher, every worker, this
/// issuer's counters once, and the events), so a batch of hundreds costs one commit.
/// </summary>
internal sealed partial class CampaignIssuerGrain : IBulkIssuer
{
    public async Task<IReadOnlyList<BulkIssueResult>> IssueBatchAsync(BulkIssueBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = _services.Now;
        var (campaignId, index) = CampaignIssuers.Parse(this.GetPrimaryKeyString());
        var campaign = GrainFactory.GetGrain<ICampaignStock>(campaignId);
        var prefix = BulkTags.Prefix(campaignId, batch.JobId);
        var results = new Dictionary<long, BulkIssueResult>();
        var pending = new List<BulkIssueItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in batch.Items.OrderBy(i => i.RowNumber))
        {
            if (seen.Add(item.CitizenId))
            {
                pending.Add(item);
            }
            else
            {
                results[item.RowNumber] = Rejected(item, BulkRejectionCodes.DuplicateRow, "The worker is named by an earlier row of this upload.");
            }
        }

        for (var attempt = 0; attempt < Attempts.Max && pending.Count > 0; attempt++)
        {
            var allocation = await campaign.GetAllocationAsync(index);
            var decided = await TryIssueAsync(campaign, campaignId, index, prefix, batch.JobId, allocation, pending, now);
            if (decided is null)
            {
                // A version race lost to another writer (or a voucher code drawn twice): every
                // participant reloads; decide the whole batch again on what the store holds.
                await _state.ReloadAsync();
                continue;
            }

            foreach (var result in decided)
            {
                results[result.RowNumber] = result;
            }

            pending.Clear();
        }

        foreach (var item in pending)
        {
            results[item.RowNumber] = new BulkIssueResult(item.RowNumber, null, null, Retry: true);
        }

        return [.. results.Values.OrderBy(r => r.RowNumber)];
    }

    /// <summary>One attempt at the batch; null when its commit lost a version race.</summary>
    private async Task<List<BulkIssueResult>?> TryIssueAsync(
        ICampaignStock campaign,
        string campaignId,
        int index,
        string prefix,
        string jobId,
        IssuerAllocation allocation,
        List<BulkIssueItem> items,
        DateTimeOffset now)
    {
        var results = new List<BulkIssueResult>(items.Count);
        var candidates = new List<Candidate>(items.Count);
        foreach (var item in items)
        {
            var tag = BulkTags.Of(campaignId, jobId, item.RowNumber);
            DirectedIssue? directed = null;
            if (allocation.Definition?.IssuanceMode == IssuanceMode.Directed)
            {
                if (item.OccupationCode is null || item.InstitutionId is null)
                {
                    results.Add(Rejected(item, BulkRejectionCodes.Of(RejectionCode.InvalidRequest), "A directed voucher needs an occupation and an institution."));
                    continue;
                }

                directed = new DirectedIssue(item.CitizenId, item.OccupationCode, item.Level, item.InstitutionId, tag);
            }

            // R4, R5 window and status, levels and the campaign's occupation: the single-claim rules.
            if (Refusal(allocation, new Issue(item.CitizenId, item.Level, directed), index, now) is { } refused)
            {
                results.Add(Rejected(item, BulkRejectionCodes.Of(refused.Rejection!.Value), refused.Detail ?? ""));
                continue;
            }

            candidates.Add(new Candidate(item, directed, tag));
        }

        if (candidates.Count == 0)
        {
            return results;
        }

        var definition = allocation.Definition!;
        var policy = allocation.Policy!;
        await using var transaction = new TransactionCoordinator(_services.Storage) { InsertsInBulk = true };

        // R6, R7 (and recognition of rows issued before) at each worker, all at once.
        var codes = VoucherCode.NewMany(candidates.Count);
        var keys = new GrainStateKey[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            var level = c.Item.Level ?? definition.Level;
            var status = c.Directed is null ? VoucherStatus.Claimed : VoucherStatus.Issued;
            c.Level = level;
            c.Status = status;
            c.Amount = definition.AmountFor(level);
            c.Deadline = Deadlines.AtIssue(policy.Validity, status, now, definition.ClaimClosesAt);
            c.Code = codes[i];
            keys[i] = WorkerGrain.StateKeyOf(c.Item.CitizenId);
        }

        // Most workers of a roster are new to the engine. One read finds them; a worker with no record
        // and no activation here is decided on a fresh state by the worker's own rule and written with
        // expected version 0, without an activation. If another writer creates the worker meanwhile,
        // the version check fails the unit and the next attempt finds the record and asks the worker.
        var stored = await _services.Storage.ReadManyAsync(keys, CancellationToken.None);
        var calls = new List<Task>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            var grant = new BulkGrant(
                new VoucherGrant(c.Code!, campaignId, definition.RegionCode, c.Status, c.Deadline, definition.Eligibility, policy.OneLiveVoucher, c.Tag, now),
                prefix,
                c.Item.Attributes);
            if (stored[i].Version == 0 && !_runtime.IsActive<IBulkWorkerParticipant>(c.Item.CitizenId))
            {
                var (vote, worker) = WorkerGrain.DecideBulkGrant(c.Item.CitizenId, new WorkerState(), grant, static () => new WorkerState());
                c.Vote = new Prepared<BulkGrantVote>(worker is null ? null : new StateWrite(keys[i], 0, _services.Serializer.Serialize(worker)), vote);
            }
            else
            {
                c.Worker = GrainFactory.GetGrain<IBulkWorkerParticipant>(c.Item.CitizenId);
                calls.Add(PrepareAsync(c, transaction.Id, grant));
            }
        }

        try
        {
            await Task.WhenAll(calls);
        }
        catch
        {
            // The workers that answered hold drafts, and one whose call failed may still prepare: all hear the abort.
            foreach (var candidate in candidates)
            {
                if (candidate.Worker is { } worker)
                {
                    transaction.Abandon(worker.CompleteAsync);
                }
            }

            throw;
        }

        var accepted = new List<Candidate>(candidates.Count);
        foreach (var candidate in candidates)
        {
            var vote = candidate.Vote!;
            if (vote.Value.ExistingCode is { } existing)
            {
                results.Add(new BulkIssueResult(candidate.Item.RowNumber, existing, null, Retry: false));
            }
            else if (vote.Value.Duplicate)
            {
                results.Add(Rejected(candidate.Item, BulkRejectionCodes.DuplicateRow, "This upload issued the worker a voucher from another row."));
            }
            else if (vote.Value.Rejection.Rejection is { } code)
            {
                results.Add(code == RejectionCode.ConcurrentOperation
                    ? new BulkIssueResult(candidate.Item.RowNumber, null, null, Retry: true)
                    : Rejected(candidate.Item, BulkRejectionCodes.Of(code), vote.Value.Rejection.Detail ?? ""));
            }
            else if (vote.Write is not null)
            {
                accepted.Add(candidate);
            }
        }

        // R5: stock and budget for the accepted rows, in row order, topped up from the campaign.
        (Cover Quantity, Cover Budget) cover;
        try
        {
            cover = await CoverAsync(campaign, campaignId, index, allocation, accepted);
        }
        catch
        {
            // The workers hold their drafts pending: release them before the fault propagates.
            foreach (var candidate in accepted)
            {
                await ReleaseAsync(candidate, transaction.Id);
            }

            throw;
        }

        var (quantity, budget) = cover;
        var issued = new List<Candidate>(accepted.Count);
        var usedQuantity = 0;
        var usedBudget = 0L;
        foreach (var candidate in accepted)
        {
            if (usedQuantity + 1 > quantity.Available || usedBudget + candidate.Amount > budget.Available)
            {
                var (code, detail) = usedQuantity + 1 > quantity.Available
                    ? (quantity.Refusal ?? RejectionCode.StockExhausted, quantity.Detail ?? "The campaign's vouchers are all issued.")
                    : (budget.Refusal ?? RejectionCode.BudgetExhausted, budget.Detail ?? "The campaign's budget cannot cover this voucher.");
                results.Add(Rejected(candidate.Item, BulkRejectionCodes.Of(code), detail));
                await ReleaseAsync(candidate, transaction.Id);
                continue;
            }

            usedQuantity++;
            usedBudget += candidate.Amount;
            issued.Add(candidate);
        }

        if (issued.Count == 0)
        {
            return results;
        }

        // Each voucher's event is written once: for its worker's stream, and as an element of the batch's event.
        var issuedEvents = new List<byte[]>(issued.Count);
        var claimedEvents = new List<byte[]>();
        foreach (var candidate in issued)
        {
            var citizenId = candidate.Item.CitizenId;
            transaction.Enlist(candidate.Vote!.Write!.Value, candidate.Worker is { } worker ? worker.CompleteAsync : outcome => TellActivationAsync(citizenId, outcome));
            // A directed voucher's event is VoucherIssued, a general one's VoucherClaimed.
            (candidate.Directed is not null ? issuedEvents : claimedEvents).Add(Enlist(transaction, campaignId, definition, policy, candidate, now));
        }

        // The campaign's stream (statistics) hears of the batch's vouchers in one event.
        transaction.Publish(new StreamEventWrite(
            Streams.Campaign(campaignId),
            this.GetPrimaryKeyString(),
            EventSerializer.SerializeBulk(now, campaignId, issuedEvents, claimedEvents)));

        var draft = _state.Draft();
        draft.UsedQuantity += usedQuantity;
        draft.UsedBudgetFen += usedBudget;
        transaction.EnlistSelf(_state, draft);
        if (!await transaction.CommitAsync())
        {
            return null;
        }

        foreach (var candidate in issued)
        {
            results.Add(new BulkIssueResult(candidate.Item.RowNumber, candidate.Code, null, Retry: false));
        }

        return results;
    }

    /// <summary>
    /// Makes the issuer's blocks cover the accepted rows if the campaign can, else as many as it can;
    /// returns the quantity and budget available to this batch and why more is not.
    /// </summary>
    private async Task<(Cover Quantity, Cover Budget)> CoverAsync(ICampaignStock campaign, string campaignId, int index, IssuerAllocation allocation, List<Candidate> accepted)
    {
        var neededQuantity = accepted.Count;
        var neededBudget = accepted.Sum(c => c.Amount);
        var quantity = allocation.Quantity - _state.State.UsedQuantity;
        var budget = allocation.BudgetFen - _state.State.UsedBudgetFen;
        if (neededQuantity <= quantity && neededBudget <= budget)
        {
            return (new Cover(quantity, null, null), new Cover(budget, null, null));
        }

        var topUp = await campaign.AllocateAsync(index, Math.Max(0, neededQuantity - quantity), Math.Max(0, neededBudget - budget));
        if (!topUp.IsSuccess && topUp.Rejection is RejectionCode.StockExhausted or RejectionCode.BudgetExhausted)
        {
            // The campaign cannot cover all of them: take what it has left.
            var view = await GrainFactory.GetGrain<ICampaignGrain>(campaignId).GetAsync();
            if (view is not null)
            {
                var leftQuantity = Math.Max(0, view.Definition.QuantityCap - view.AllocatedQuantity);
                var leftBudget = Math.Max(0, view.Definition.BudgetCapFen - view.AllocatedBudgetFen);
                var partial = await campaign.AllocateAsync(
                    index,
                    Math.Min(Math.Max(0, neededQuantity - quantity), leftQuantity),
                    Math.Min(Math.Max(0, neededBudget - budget), leftBudget));
                if (partial.IsSuccess)
                {
                    var after = partial.Value!;
                    return (
                        new Cover(after.Quantity - _state.State.UsedQuantity, RejectionCode.StockExhausted, $"All {view.Definition.QuantityCap} vouchers have been issued."),
                        new Cover(after.BudgetFen - _state.State.UsedBudgetFen, RejectionCode.BudgetExhausted, "The campaign's remaining budget cannot cover this voucher."));
                }
            }

            return (new Cover(quantity, topUp.Rejection, topUp.Detail), new Cover(budget, topUp.Rejection, topUp.Detail));
        }

        if (!topUp.IsSuccess)
        {
            return (new Cover(0, topUp.Rejection, topUp.Detail), new Cover(0, topUp.Rejection, topUp.Detail));
        }

        var granted = topUp.Value!;
        return (new Cover(granted.Quantity - _state.State.UsedQuantity, null, null), new Cover(granted.BudgetFen - _state.State.UsedBudgetFen, null, null));
    }

    /// <summary>
    /// Adds the new voucher's state and its worker's events to the unit; returns the payload of the
    /// voucher's event, which the campaign's stream hears in the batch's one event.
    /// </summary>
    private byte[] Enlist(TransactionCoordinator transaction, string campaignId, CampaignDefinition definition, Regions.RegionPolicy policy, Candidate candidate, DateTimeOffset now)
    {
        var item = candidate.Item;
        var directed = candidate.Directed;
        var state = VoucherGrain.NewState(new VoucherIssue(
            campaignId,
            definition.RegionCode,
            item.CitizenId,
            definition.ValueMode,
            definition.IssuanceMode,
            definition.Tier,
            candidate.Amount,
            directed?.OccupationCode ?? definition.OccupationCode,
            candidate.Level,
            directed?.InstitutionId,
            candidate.Tag,
            candidate.Status,
            candidate.Deadline,
            policy,
            definition.CatalogueYear,
            definition.SubsidyRatioPercent,
            definition.ClaimClosesAt,
            now));

        // A new code: the write expects no record, so a code that exists fails the unit's version check.
        transaction.Enlist(new StateWrite(VoucherGrain.StateKeyOf(candidate.Code!), 0, _services.Serializer.Serialize(state)), static _ => Task.CompletedTask);
        VoucherEvent voucherEvent = directed is not null
            ? new VoucherIssued
            {
                At = now,
                Code = candidate.Code!,
                CampaignId = campaignId,
                CitizenId = item.CitizenId,
                To = VoucherStatus.Issued,
                DeadlineAfter = candidate.Deadline,
                ValueMode = definition.ValueMode,
                IssuanceMode = definition.IssuanceMode,
                AmountFen = candidate.Amount,
                OccupationCode = directed.OccupationCode,
                InstitutionId = directed.InstitutionId,
                RosterId = candidate.Tag,
            }
            : new VoucherClaimed
            {
                At = now,
                Code = candidate.Code!,
                CampaignId = campaignId,
                CitizenId = item.CitizenId,
                To = VoucherStatus.Claimed,
                DeadlineAfter = candidate.Deadline,
                ValueMode = definition.ValueMode,
                IssuanceMode = definition.IssuanceMode,
                AmountFen = candidate.Amount,
                OccupationCode = definition.OccupationCode,
            };

        if (candidate.Vote!.Value.Registered)
        {
            transaction.Publish(EventSerializer.ToStream(Streams.Worker(item.CitizenId), item.CitizenId, new WorkerRegistered { At = now, CitizenId = item.CitizenId, Attributes = item.Attributes! }));
        }

        // The worker's stream (archive) keeps an event of its own per voucher.
        var payload = EventSerializer.Serialize(voucherEvent);
        transaction.Publish(new StreamEventWrite(Streams.Worker(item.CitizenId), candidate.Code!, payload));
        return payload;
    }

    private static async Task PrepareAsync(Candidate candidate, TransactionId transaction, BulkGrant grant) =>
        candidate.Vote = await candidate.Worker!.PrepareBulkGrantAsync(transaction, grant);

    /// <summary>Drops the draft a worker holds for a row that will not be written; a worker decided without its grain holds none.</summary>
    private static Task ReleaseAsync(Candidate candidate, TransactionId transaction) =>
        candidate.Worker?.CompleteAsync(TransactionOutcome.Aborted(transaction)) ?? Task.CompletedTask;

    /// <summary>
    /// The outcome for a worker written without its grain. An activation of the worker made on this silo
    /// after its record was read loaded "no record": an outcome that claims a commit (or may have
    /// committed) is news of a change it missed, and it reloads before it answers again. An activation
    /// made after the commit is durable reads the record itself.
    /// </summary>
    private Task TellActivationAsync(string citizenId, TransactionOutcome outcome) =>
        outcome.Status != TransactionStatus.Aborted && _runtime.IsActive<IBulkWorkerParticipant>(citizenId)
            ? GrainFactory.GetGrain<IBulkWorkerParticipant>(citizenId).CompleteAsync(outcome)
            : Task.CompletedTask;

    private static BulkIssueResult Rejected(BulkIssueItem item, string code, string detail) =>
        new(item.RowNumber, null, new BulkRejection(item.RowNumber, item.CitizenId, code, detail), Retry: false);

    /// <summary>What a batch may take of one resource, and why not more.</summary>
    private readonly record struct Cover(long Available, RejectionCode? Refusal, string? Detail);

    /// <summary>A row on its way through an attempt.</summary>
    private sealed class Candidate(BulkIssueItem item, DirectedIssue? directed, string tag)
    {
        public BulkIssueItem Item { get; } = item;

        public DirectedIssue? Directed { get; } = directed;

        public string Tag { get; } = tag;

        public SkillLevel? Level { get; set; }

        public VoucherStatus Status { get; set; }

        public long Amount { get; set; }

        public DateTimeOffset Deadline { get; set; }

        public string? Code { get; set; }

        public IBulkWorkerParticipant? Worker { get; set; }

        public Prepared<BulkGrantVote>? Vote { get; set; }
    }
}
