using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Grains.Statistics;

/// <summary>
/// The indicators of one campaign, folded from its event stream. Live vouchers (issued, claimed,
/// activated) are kept by deadline, so the number expired at any instant is the sum of the buckets
/// whose deadline has passed: computed on read, without touching a voucher (R9, R19).
/// </summary>
internal sealed class StatisticsFold
{
    /// <summary>The store-wide sequence of the last event folded.</summary>
    public long Position { get; set; }

    public long Issued { get; set; }

    public long IssuedFaceValue { get; set; }

    public long IssuedGeneral { get; set; }

    public long Claimed { get; set; }

    public long Activated { get; set; }

    public long Completed { get; set; }

    public long Settled { get; set; }

    public long Evaluated { get; set; }

    /// <summary>Directed vouchers not yet claimed, by deadline (UTC ticks).</summary>
    public Dictionary<long, long> IssuedLive { get; set; } = [];

    /// <summary>Claimed vouchers, by deadline.</summary>
    public Dictionary<long, long> ClaimedLive { get; set; } = [];

    /// <summary>Activated vouchers, by deadline.</summary>
    public Dictionary<long, long> ActivatedLive { get; set; } = [];

    public long CompletedNow { get; set; }

    public long SettledNow { get; set; }

    public long RevokedNow { get; set; }

    public long IssuedAmountFen { get; set; }

    public long PendingSettlementFen { get; set; }

    public long SettledAmountFen { get; set; }

    /// <summary>Folds one event.</summary>
    public void Apply(DomainEvent domainEvent)
    {
        switch (domainEvent)
        {
            case CampaignOpened { IssuanceMode: IssuanceMode.General } opened:
                // A general campaign puts its whole stock out to its targeted population.
                Issued += opened.OfferedQuantity;
                IssuedGeneral += opened.OfferedQuantity;
                IssuedFaceValue += opened.ValueMode == ValueMode.FaceValue ? opened.OfferedQuantity : 0;
                return;
            case EvaluationSubmitted { ByTrainee: true }:
                Evaluated++;
                return;
            case VouchersIssuedInBulk bulk:
                foreach (var issued in bulk.Issued)
                {
                    Apply(issued);
                }

                foreach (var claimed in bulk.Claimed)
                {
                    Apply(claimed);
                }

                return;
            case VoucherEvent voucherEvent:
                Move(voucherEvent);
                break;
            default:
                return;
        }

        switch (domainEvent)
        {
            case VoucherIssued issued:
                Issued++;
                IssuedFaceValue += issued.ValueMode == ValueMode.FaceValue ? 1 : 0;
                IssuedGeneral += issued.IssuanceMode == IssuanceMode.General ? 1 : 0;
                IssuedAmountFen += issued.AmountFen;
                break;
            case VoucherClaimed claimed:
                Claimed++;
                if (claimed.From is null)
                {
                    // A general voucher comes into being when claimed; its stock was counted as issued at opening.
                    IssuedAmountFen += claimed.AmountFen;
                }

                break;
            case VoucherActivated:
                Activated++;
                break;
            case VoucherActivationRolledBack:
                Activated--;
                break;
            case VoucherCompleted:
                Completed++;
                break;
            case SettlementClaimed claimed:
                PendingSettlementFen += claimed.AmountFen;
                break;
            case SettlementRejected rejected:
                PendingSettlementFen -= rejected.AmountFen;
                break;
            case SettlementApproved approved:
                PendingSettlementFen -= approved.AmountFen;
                SettledAmountFen += approved.AmountFen;
                Settled += approved.To == VoucherStatus.Settled ? 1 : 0;
                break;
        }
    }

    /// <summary>The indicators as of <paramref name="now"/>.</summary>
    public VoucherStatistics ToStatistics(string scope, DateTimeOffset now)
    {
        var (issuedLive, issuedExpired) = Split(IssuedLive, now);
        var (claimedLive, claimedExpired) = Split(ClaimedLive, now);
        var (activatedLive, activatedExpired) = Split(ActivatedLive, now);
        var expired = issuedExpired + claimedExpired + activatedExpired;
        return new VoucherStatistics
        {
            Scope = scope,
            Issued = Issued,
            IssuedFaceValue = IssuedFaceValue,
            IssuedGeneral = IssuedGeneral,
            Claimed = Claimed,
            Activated = Activated,
            Completed = Completed,
            Settled = Settled,
            Expired = expired,
            Revoked = RevokedNow,
            Evaluated = Evaluated,
            Current = new StatusCounts(issuedLive, claimedLive, activatedLive, CompletedNow, SettledNow, expired, RevokedNow),
            IssuedAmountFen = IssuedAmountFen,
            PendingSettlementFen = PendingSettlementFen,
            SettledAmountFen = SettledAmountFen,
            AsOf = now,
        };
    }

    private void Move(VoucherEvent voucherEvent)
    {
        if (voucherEvent.From is { } from)
        {
            Count(from, voucherEvent.DeadlineBefore, -1);
        }

        Count(voucherEvent.To, voucherEvent.DeadlineAfter, +1);
    }

    private void Count(VoucherStatus status, DateTimeOffset? deadline, int delta)
    {
        switch (status)
        {
            case VoucherStatus.Issued:
                Bucket(IssuedLive, deadline, delta);
                break;
            case VoucherStatus.Claimed:
                Bucket(ClaimedLive, deadline, delta);
                break;
            case VoucherStatus.Activated:
                Bucket(ActivatedLive, deadline, delta);
                break;
            case VoucherStatus.Completed:
                CompletedNow += delta;
                break;
            case VoucherStatus.Settled:
                SettledNow += delta;
                break;
            case VoucherStatus.Revoked:
                RevokedNow += delta;
                break;
        }
    }

    private static void Bucket(Dictionary<long, long> buckets, DateTimeOffset? deadline, int delta)
    {
        var key = (deadline ?? DateTimeOffset.MaxValue).UtcTicks;
        var count = buckets.GetValueOrDefault(key) + delta;
        if (count == 0)
        {
            buckets.Remove(key);
        }
        else
        {
            buckets[key] = count;
        }
    }

    private static (long Live, long Expired) Split(Dictionary<long, long> buckets, DateTimeOffset now)
    {
        long live = 0, expired = 0;
        foreach (var (deadline, count) in buckets)
        {
            if (deadline <= now.UtcTicks)
            {
                expired += count;
            }
            else
            {
                live += count;
            }
        }

        return (live, expired);
    }
}
