using System.Text.Json;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// A bulk batch announces its vouchers to the campaign's stream in one event; the campaign's
/// statistics must come out exactly as if each voucher had been announced alone (R19).
/// </summary>
public sealed class BulkStatisticsFoldTests
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 9, 30, 0, TimeSpan.FromHours(8));

    [Fact]
    public void R19_a_batchs_one_event_folds_like_its_vouchers_events_one_by_one()
    {
        var issued = Enumerable.Range(0, 50).Select(i => new VoucherIssued
        {
            At = s_now,
            Code = $"CODE{i:D10}",
            CampaignId = "fj-directed",
            CitizenId = $"citizen-{i}",
            To = VoucherStatus.Issued,
            DeadlineAfter = s_now.AddMonths(i % 3 + 1),
            ValueMode = i % 5 == 0 ? ValueMode.Credit : ValueMode.FaceValue,
            IssuanceMode = IssuanceMode.Directed,
            AmountFen = 100_000 + i,
            OccupationCode = "4-01-02-01",
            InstitutionId = "SCHOOL1",
            RosterId = $"fj-directed/job#{i}",
        }).ToList();
        var claimed = Enumerable.Range(0, 30).Select(i => new VoucherClaimed
        {
            At = s_now,
            Code = $"GEN{i:D10}",
            CampaignId = "fj-general",
            CitizenId = $"citizen-{i}",
            To = VoucherStatus.Claimed,
            DeadlineAfter = s_now.AddMonths(i % 2 + 1),
            ValueMode = ValueMode.FaceValue,
            IssuanceMode = IssuanceMode.General,
            AmountFen = 50_000,
        }).ToList();

        var oneByOne = new StatisticsFold();
        foreach (var e in issued.Concat<DomainEvent>(claimed))
        {
            oneByOne.Apply(e);
        }

        var batched = new StatisticsFold();
        batched.Apply(RoundTrip(new VouchersIssuedInBulk { At = s_now, CampaignId = "fj-directed", Issued = issued }));
        batched.Apply(RoundTrip(new VouchersIssuedInBulk { At = s_now, CampaignId = "fj-general", Claimed = claimed }));

        Assert.Equal(50, batched.Issued);
        Assert.Equal(30, batched.Claimed);
        Assert.Equal(JsonSerializer.Serialize(oneByOne), JsonSerializer.Serialize(batched));
    }

    private static DomainEvent RoundTrip(DomainEvent domainEvent)
    {
        var write = EventSerializer.ToStream(Streams.Campaign("c"), "issuer", domainEvent);
        return EventSerializer.Read(new StoredStreamEvent(1, write.Stream, write.Key, write.Payload, s_now));
    }
}
