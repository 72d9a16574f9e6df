using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>The lifelong archive, evaluations and traceability (R20, R21).</summary>
public abstract class ArchiveTests : DomainTestBase
{
    private static readonly JsonSerializerOptions s_eventJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task R21_the_lifelong_archive_records_every_claim_enrolment_check_in_result_certificate_and_settlement()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.CompletedAsync("general", worker, "C1");
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole));
        await RestartAsync();

        var archive = (await Grains.GetGrain<IWorkerGrain>(worker).GetArchiveAsync()).GetValueOrThrow();

        Assert.Equal(
            [
                nameof(WorkerRegistered), nameof(VoucherClaimed), nameof(VoucherActivated),
                nameof(TraineeCheckedIn), nameof(TraineeCheckedIn), nameof(TraineeCheckedIn), nameof(TraineeCheckedIn), nameof(TraineeCheckedIn),
                nameof(ResultRecorded), nameof(VoucherCompleted), nameof(SettlementClaimed), nameof(SettlementApproved),
            ],
            archive.Select(e => e.Kind));
        Assert.All(archive.Skip(1), e => Assert.Equal(code, e.VoucherCode));
        Assert.Contains("CERT-C1", archive.Single(e => e.Kind == nameof(VoucherCompleted)).Detail, StringComparison.Ordinal);
        Assert.Equal("SCHOOL1", archive.Single(e => e.Kind == nameof(VoucherActivated)).InstitutionId);
        Assert.Equal(archive.OrderBy(e => e.At).Select(e => e.At), archive.Select(e => e.At));
    }

    [Fact]
    public async Task R21_the_archive_shows_a_voucher_that_lapsed_unused()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("general", worker);
        Given.Advance(TimeSpan.FromDays(100));

        var archive = (await Grains.GetGrain<IWorkerGrain>(worker).GetArchiveAsync()).GetValueOrThrow();

        Assert.Equal(["WorkerRegistered", "VoucherClaimed", "VoucherExpired"], archive.Select(e => e.Kind));
        Assert.Equal(code, archive[^1].VoucherCode);
        Assert.Equal(VoucherStatus.Expired, (await Given.WorkerViewAsync(worker)).Vouchers.Single().Status);
    }

    [Fact]
    public async Task R21_every_change_is_traceable_in_the_durable_streams()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("general", worker);
        await Given.ClassAsync("SCHOOL1", "C1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(code, "wrong class"));
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RecordStrikeAsync(StrikeKind.QualityProblem, "no teacher"));
        Ok(await Grains.GetGrain<IVoucherGrain>(code).RevokeAsync("fraud"));

        var campaign = await EventsAsync(Streams.Campaign("general"));
        var institution = await EventsAsync(Streams.Institution("SCHOOL1"));

        Assert.Equal(
            [nameof(CampaignCreated), nameof(CampaignOpened), nameof(StockAllocated), nameof(VoucherClaimed), nameof(VoucherActivated), nameof(VoucherActivationRolledBack), nameof(VoucherRevoked)],
            campaign.Select(e => e.GetType().Name));
        Assert.Equal([nameof(InstitutionListed), nameof(ClassRegistered), nameof(StrikeRecorded)], institution.Select(e => e.GetType().Name));
        var revoked = Assert.IsType<VoucherRevoked>(campaign[^1]);
        Assert.Equal((VoucherStatus.Claimed, VoucherStatus.Revoked, "fraud"), (revoked.From!.Value, revoked.To, revoked.Reason));
    }

    [Fact]
    public async Task R20_a_trainee_rates_the_course_after_completing_it_and_the_institution_rates_the_trainee()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var other = await Given.WorkerAsync(2);
        var code = await Given.ClaimAsync("general", other);
        await Given.CompletedAsync("general", worker, "C1");
        var classKey = ClassKey.Of("SCHOOL1", "C1");
        await Given.ClassAsync("SCHOOL1", "C2");
        await Given.VerifyAsync("SCHOOL1", code, other, "C2");
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);

        Rejected(RejectionCode.NotCompleted, await Grains.GetGrain<IClassGrain>(ClassKey.Of("SCHOOL1", "C2")).RateCourseAsync(new Evaluation(other, 5, null)));
        Rejected(RejectionCode.InvalidRequest, await schoolClass.RateCourseAsync(new Evaluation(worker, 6, null)));
        Rejected(RejectionCode.NotEnrolled, await schoolClass.RateCourseAsync(new Evaluation(other, 4, null)));
        Ok(await schoolClass.RateCourseAsync(new Evaluation(worker, 4, "practical and clear")));
        Ok(await schoolClass.RateTraineeAsync(new Evaluation(worker, 5, "diligent")));

        var statistics = await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync();
        Assert.Equal(1, statistics.Evaluated);
        Assert.Equal(1m, statistics.EvaluationRate);
        var archive = (await Grains.GetGrain<IWorkerGrain>(worker).GetArchiveAsync()).GetValueOrThrow();
        Assert.Equal(2, archive.Count(e => e.Kind == nameof(EvaluationSubmitted)));
    }

    private async Task<List<DomainEvent>> EventsAsync(string stream)
    {
        var stored = await Silo.Storage.ReadStreamAsync(stream, 0, 1000, CancellationToken.None);
        return [.. stored.Select(e => JsonSerializer.Deserialize<DomainEvent>(e.Payload, s_eventJson)!)];
    }
}

public sealed class ArchiveTestsOnMemory : ArchiveTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class ArchiveTestsOnPostgreSql(PostgresFixture fixture) : ArchiveTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
