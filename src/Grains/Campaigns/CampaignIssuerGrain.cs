using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>What an issuer has used of the stock its campaign handed it.</summary>
internal sealed class IssuerState
{
    public int UsedQuantity { get; set; }

    public long UsedBudgetFen { get; set; }
}

/// <summary>A voucher a roster asks an issuer to issue to a named worker.</summary>
/// <param name="CitizenId">The worker.</param>
/// <param name="OccupationCode">The occupation the voucher is bound to.</param>
/// <param name="Level">The skill level, or null.</param>
/// <param name="InstitutionId">The institution whose roster it is.</param>
/// <param name="RosterId">The roster.</param>
internal sealed record DirectedIssue(string CitizenId, string OccupationCode, SkillLevel? Level, string InstitutionId, string RosterId);

/// <summary>Directed issuance, used by approved rosters.</summary>
internal interface IDirectedIssuer : IGrainWithStringKey
{
    /// <summary>Issues a directed voucher to a roster entry; answers with the voucher this roster issued before when it is a repeat.</summary>
    Task<Result<string>> IssueDirectedAsync(DirectedIssue issue);
}

/// <summary>
/// Issues a campaign's vouchers. Each voucher is one atomic write of the issuer's counters, the worker
/// (eligibility R6, one live voucher R7) and the new voucher, with its events; stock and budget come
/// from the campaign in blocks, so the campaign's state is written once per block (R5).
/// </summary>
[GrainType("campaign-issuer")]
internal sealed partial class CampaignIssuerGrain : Grain, ICampaignIssuerGrain, IDirectedIssuer
{
    private const int CodeAttempts = 3;

    private readonly GrainServices _services;
    private readonly TransactionalState<IssuerState> _state;
    private readonly SiloRuntime _runtime;
    private (string CampaignId, int Index)? _key;

    public CampaignIssuerGrain([PersistentState("issuer")] IPersistentState<IssuerState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
        _runtime = services.GetRequiredService<SiloRuntime>();
    }

    public async Task<Result<ClaimReceipt>> ClaimAsync(ClaimRequest request)
    {
        var now = _services.Now;
        if (request is null || !CitizenId.TryParse(request.CitizenId, ChinaTime.DateOf(now), out var citizenId))
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.InvalidCitizenId, "The claimant's citizen id is not valid.");
        }

        var issued = await IssueAsync(new Issue(citizenId, request.Level, null), now);
        return issued.IsSuccess ? Result<ClaimReceipt>.Ok(issued.Value!) : Result<ClaimReceipt>.Reject(issued.Rejection!.Value, issued.Detail);
    }

    public async Task<Result<string>> IssueDirectedAsync(DirectedIssue issue)
    {
        var issued = await IssueAsync(new Issue(issue.CitizenId, issue.Level, issue), _services.Now);
        return issued.IsSuccess ? Result<string>.Ok(issued.Value!.VoucherCode) : Result<string>.Reject(issued.Rejection!.Value, issued.Detail);
    }

    private async Task<Result<ClaimReceipt>> IssueAsync(Issue issue, DateTimeOffset now)
    {
        var (campaignId, index) = _key ??= CampaignIssuers.Parse(this.GetPrimaryKeyString());
        var campaign = GrainFactory.GetGrain<ICampaignStock>(campaignId);
        var worker = GrainFactory.GetGrain<IWorkerParticipant>(issue.CitizenId);
        for (var attempt = 0; attempt < Attempts.Max * CodeAttempts; attempt++)
        {
            var allocation = await campaign.GetAllocationAsync(index);
            if (Refusal(allocation, issue, index, now) is { } refused)
            {
                return refused;
            }

            var definition = allocation.Definition!;
            var policy = allocation.Policy!;
            var level = issue.Level ?? definition.Level;
            var amount = definition.AmountFor(level);
            var status = issue.Directed is null ? VoucherStatus.Claimed : VoucherStatus.Issued;
            var deadline = Deadlines.AtIssue(policy.Validity, status, now, definition.ClaimClosesAt);

            // R5: stock and budget from this issuer's blocks, topped up from the campaign when they run short.
            var availableQuantity = allocation.Quantity - _state.State.UsedQuantity;
            var availableBudget = allocation.BudgetFen - _state.State.UsedBudgetFen;
            var topUpQuantity = availableQuantity < 1 ? 1 : 0;
            var topUpBudget = Math.Max(0, amount - availableBudget);

            // Sold out, known without a top-up, a draft or a voucher code. The campaign would refuse the
            // top-up: the refusal is the campaign's own rule, applied to what it answered just now. That
            // answer cannot be stale in the direction that matters. While a campaign is open its caps
            // are fixed (only a draft changes), what it has handed out and what this issuer has used only
            // grow, and nothing hands stock back (an expired, revoked or rolled-back voucher still counts
            // under R5; a rolled-back verification gives back the yearly slot of R10, not stock). So this
            // issuer's blocks plus what the campaign has left can only shrink, and a read that lags
            // behind (another process's activation moved on) understates use, so it overstates stock and
            // leads to the full path below, whose conditional writes decide. Exhaustion is decided per
            // issuer, as the top-up decides it: another issuer's block may still serve other workers.
            // Stock given back one day would have to go through the campaign's state, read afresh above
            // on every claim, so nothing here would refuse it. The worker still answers first, on its
            // committed state, so whoever is told "sold out" is someone a prepared grant would have told
            // too: a worker holding a live voucher is told so, with its code (R7), an ineligible or
            // unregistered one is told that (R6).
            if ((topUpQuantity > 0 || topUpBudget > 0) && allocation.StockRefusal(topUpQuantity, topUpBudget) is { } exhausted)
            {
                var verdict = await worker.CheckGrantAsync(Grant(string.Empty, campaignId, definition, policy, status, deadline, issue, now));
                return verdict.ExistingCode is { } repeat ? Result<ClaimReceipt>.Ok(new ClaimReceipt(repeat, amount, deadline))
                    : !verdict.Rejection.IsSuccess ? Result<ClaimReceipt>.From(verdict.Rejection)
                    : Result<ClaimReceipt>.From(exhausted);
            }

            var code = VoucherCode.New();
            await using var transaction = new TransactionCoordinator(_services.Storage);

            // R6, R7: the worker first, so an ineligible claim costs no stock.
            var workerVote = await transaction.PrepareAsync(worker.PrepareGrantAsync(transaction.Id, Grant(code, campaignId, definition, policy, status, deadline, issue, now)), worker.CompleteAsync);

            if (workerVote.Value.ExistingCode is { } existing)
            {
                return Result<ClaimReceipt>.Ok(new ClaimReceipt(existing, amount, deadline));
            }

            if (!workerVote.Value.Rejection.IsSuccess)
            {
                return Result<ClaimReceipt>.From(workerVote.Value.Rejection);
            }

            if (topUpQuantity > 0 || topUpBudget > 0)
            {
                var topUp = await campaign.AllocateAsync(index, topUpQuantity, topUpBudget);
                if (!topUp.IsSuccess)
                {
                    return Result<ClaimReceipt>.Reject(topUp.Rejection!.Value, topUp.Detail);
                }
            }

            var voucher = GrainFactory.GetGrain<IVoucherParticipant>(code);
            var voucherVote = await transaction.PrepareAsync(voucher.PrepareIssueAsync(transaction.Id, new VoucherIssue(
                campaignId,
                definition.RegionCode,
                issue.CitizenId,
                definition.ValueMode,
                definition.IssuanceMode,
                definition.Tier,
                amount,
                issue.Directed?.OccupationCode ?? definition.OccupationCode,
                level,
                issue.Directed?.InstitutionId,
                issue.Directed?.RosterId,
                status,
                deadline,
                policy,
                definition.CatalogueYear,
                definition.SubsidyRatioPercent,
                definition.ClaimClosesAt,
                now)), voucher.CompleteAsync);
            if (!voucherVote.HasWrite)
            {
                // A code that exists already: 65 random bits make this all but impossible; draw another.
                continue;
            }

            var draft = _state.Draft();
            draft.UsedQuantity++;
            draft.UsedBudgetFen += amount;
            transaction.EnlistSelf(_state, draft);
            transaction.Publish(issue.Directed is { } directed
                ? new VoucherIssued
                {
                    At = now,
                    Code = code,
                    CampaignId = campaignId,
                    CitizenId = issue.CitizenId,
                    To = VoucherStatus.Issued,
                    DeadlineAfter = deadline,
                    ValueMode = definition.ValueMode,
                    IssuanceMode = definition.IssuanceMode,
                    AmountFen = amount,
                    OccupationCode = directed.OccupationCode,
                    InstitutionId = directed.InstitutionId,
                    RosterId = directed.RosterId,
                }
                : new VoucherClaimed
                {
                    At = now,
                    Code = code,
                    CampaignId = campaignId,
                    CitizenId = issue.CitizenId,
                    To = VoucherStatus.Claimed,
                    DeadlineAfter = deadline,
                    ValueMode = definition.ValueMode,
                    IssuanceMode = definition.IssuanceMode,
                    AmountFen = amount,
                    OccupationCode = definition.OccupationCode,
                });
            if (await transaction.CommitAsync())
            {
                return Result<ClaimReceipt>.Ok(new ClaimReceipt(code, amount, deadline));
            }

            await _state.ReloadAsync();
        }

        return Attempts.Contended<ClaimReceipt>();
    }

    private static VoucherGrant Grant(string code, string campaignId, CampaignDefinition definition, RegionPolicy policy, VoucherStatus status, DateTimeOffset deadline, Issue issue, DateTimeOffset now) =>
        new(code, campaignId, definition.RegionCode, status, deadline, definition.Eligibility, policy.OneLiveVoucher, issue.Directed?.RosterId, now);

    private static Result<ClaimReceipt>? Refusal(IssuerAllocation allocation, Issue issue, int index, DateTimeOffset now)
    {
        if (allocation.Definition is not { } definition)
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.CampaignNotFound, "No such campaign.");
        }

        if (index >= definition.IssuerCount)
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.InvalidRequest, $"The campaign has {definition.IssuerCount} issuer(s).");
        }

        if (allocation.Status != CampaignStatus.Open || allocation.Policy is null)
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.CampaignNotOpen, $"The campaign is {allocation.Status}.");
        }

        if (now < definition.ClaimOpensAt || now >= definition.ClaimClosesAt)
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.OutsideClaimWindow, $"Claims are open from {definition.ClaimOpensAt:u} to {definition.ClaimClosesAt:u}.");
        }

        var expected = issue.Directed is null ? IssuanceMode.General : IssuanceMode.Directed;
        if (definition.IssuanceMode != expected)
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.WrongIssuanceMode, definition.IssuanceMode == IssuanceMode.Directed
                ? "A directed campaign issues only through approved rosters."
                : "A general campaign issues only by claim.");
        }

        if (issue.Level is { } level && definition.Level is { } campaignLevel && level != campaignLevel)
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.LevelMismatch, $"The campaign is for level {campaignLevel}.");
        }

        if (issue.Level is { } claimed && !Enum.IsDefined(claimed))
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.InvalidRequest, "Unknown skill level.");
        }

        // R4: a face-value voucher carries a face value. A campaign that sets them by level only has none
        // for a level it does not list (or for no level), and a voucher of no value would take stock and
        // one-live-voucher standing (R5, R7) for nothing.
        if (definition.ValueMode == ValueMode.FaceValue && definition.AmountFor(issue.Level ?? definition.Level) <= 0)
        {
            return Result<ClaimReceipt>.Reject(RejectionCode.LevelMismatch, $"The campaign sets face values for level(s) {string.Join(", ", definition.FaceValuesByLevel.Select(f => f.Level))}; name one of them.");
        }

        return issue.Directed is { } directed && definition.OccupationCode is { } occupation && directed.OccupationCode != occupation
            ? Result<ClaimReceipt>.Reject(RejectionCode.OccupationMismatch, $"The campaign is for occupation {occupation}.")
            : null;
    }

    private sealed record Issue(string CitizenId, SkillLevel? Level, DirectedIssue? Directed);
}
