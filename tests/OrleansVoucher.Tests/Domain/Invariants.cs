using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Cross-grain invariants that no crash may break.</summary>
public static class Invariants
{
    /// <summary>
    /// For every voucher: it holds a yearly slot at its worker exactly when it was activated, and its
    /// holder is enrolled in its class exactly when it is activated for that class.
    /// </summary>
    public static async Task AssertConsistentAsync(IGrainFactory grains, IEnumerable<string> codes)
    {
        ArgumentNullException.ThrowIfNull(grains);
        foreach (var code in codes)
        {
            var voucher = (await grains.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow();
            var worker = (await grains.GetGrain<IWorkerGrain>(voucher.CitizenId).GetAsync()).GetValueOrThrow();
            var slots = worker.Slots.Count(s => s.VoucherCode == code);
            var activated = voucher.ActivatedAt is not null;
            Assert.True(slots == (activated ? 1 : 0), $"Voucher {code} is {voucher.Status} (activated: {activated}) but holds {slots} slot(s).");
            if (voucher.Status == VoucherStatus.Activated)
            {
                var schoolClass = (await grains.GetGrain<IClassGrain>(voucher.ClassKey!).GetAsync())!;
                Assert.Contains(voucher.CitizenId, schoolClass.Trainees);
            }

            var held = worker.Vouchers.SingleOrDefault(v => v.Code == code);
            if (voucher.Status is VoucherStatus.Issued or VoucherStatus.Claimed or VoucherStatus.Activated)
            {
                Assert.True(held is not null && held.Status == voucher.Status, $"Worker holds voucher {code} as {held?.Status}, the voucher is {voucher.Status}.");
            }
        }
    }

    /// <summary>The saved fold, a recount from the first event, and a scan of the vouchers agree.</summary>
    public static async Task AssertStatisticsExactAsync(IGrainFactory grains, string campaignId, IEnumerable<string> codes)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var statistics = grains.GetGrain<ICampaignStatisticsGrain>(campaignId);
        var live = await statistics.GetAsync();
        var recount = await statistics.RecountAsync();
        Assert.Equal(recount with { AsOf = live.AsOf }, live);

        var statuses = new List<VoucherStatus>();
        foreach (var code in codes)
        {
            statuses.Add((await grains.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow().Status);
        }

        var scanned = new StatusCounts(
            statuses.Count(s => s == VoucherStatus.Issued),
            statuses.Count(s => s == VoucherStatus.Claimed),
            statuses.Count(s => s == VoucherStatus.Activated),
            statuses.Count(s => s == VoucherStatus.Completed),
            statuses.Count(s => s == VoucherStatus.Settled),
            statuses.Count(s => s == VoucherStatus.Expired),
            statuses.Count(s => s == VoucherStatus.Revoked));
        Assert.Equal(scanned, live.Current);
    }
}
