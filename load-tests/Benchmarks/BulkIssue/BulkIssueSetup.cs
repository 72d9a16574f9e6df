using System.Globalization;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.LoadTests.Benchmarks.BulkIssue;

/// <summary>
/// What the bulk benchmark issues against: Fujian's policy and catalogue, a listed institution and an
/// open directed campaign as large as the roster, set up through the grains of a silo on the database
/// before the engine starts; and the roster's rows.
/// </summary>
internal static class BulkIssueSetup
{
    public const string Province = "350000";
    public const string District = "350102";
    public const string Institution = "benchinst01";
    public const string Occupation = "4-10-01-02";
    public const long FaceValueFen = 50_000;

    public static async Task CreateAsync(string connectionString, string campaignId, int count, int issuers, CancellationToken cancellationToken)
    {
        var silo = await BenchSilo.StartAsync(
            s => s.AddVoucherGrains().UsePostgreSqlStorage(o => o.ConnectionString = connectionString),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (silo.ConfigureAwait(false))
        {
            var grains = silo.Grains;
            var now = DateTimeOffset.UtcNow;
            Ok(await grains.GetGrain<IRegionGrain>(Province).SetPolicyAsync(RegionPolicy.Fujian).ConfigureAwait(false));
            Ok(await grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(Province, ChinaTime.YearOf(now))).PublishAsync(
            [
                new OccupationEntry { Code = Occupation, Name = "育婴员", Kind = SkillKind.OperationSkill, Standards = [new(null, 100_000)] },
            ]).ConfigureAwait(false));
            Ok((await grains.GetGrain<IInstitutionGrain>(Institution).ListAsync(new InstitutionListing
            {
                Name = "Bench Training School",
                RegionCode = District,
                Address = "1 Training Road",
                Nature = InstitutionNature.Private,
                Occupations = [Occupation],
                ContactName = "Contact",
                ContactPhone = "0591-00000000",
                Site = new GeoPoint(26.0745, 119.2965),
                SiteRadiusMetres = 200,
            }).ConfigureAwait(false)).ToResult());
            var campaign = grains.GetGrain<ICampaignGrain>(campaignId);
            Ok((await campaign.CreateAsync(new CampaignDefinition
            {
                Name = $"Bulk benchmark {count:N0}",
                RegionCode = Province,
                ValueMode = ValueMode.FaceValue,
                IssuanceMode = IssuanceMode.Directed,
                Tier = Tier.Basic,
                FaceValueFen = FaceValueFen,
                OccupationCode = Occupation,
                QuantityCap = count,
                BudgetCapFen = FaceValueFen * count,
                ClaimOpensAt = now.AddDays(-1),
                ClaimClosesAt = now.AddYears(1),
                CatalogueYear = ChinaTime.YearOf(now),
                IssuerCount = issuers,
            }).ConfigureAwait(false)).ToResult());
            Ok((await campaign.OpenAsync().ConfigureAwait(false)).ToResult());
        }
    }

    /// <summary>The <paramref name="n"/>th worker's citizen id (distinct for n below 14 million).</summary>
    public static string Citizen(int n)
    {
        var birth = new DateOnly(1960, 1, 1).AddDays(n / 1000);
        var first17 = string.Create(CultureInfo.InvariantCulture, $"{District}{birth:yyyyMMdd}{n % 1000:D3}");
        return first17 + CitizenId.CheckCharacterOf(first17);
    }

    private static void Ok(Result result)
    {
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"Setting up the benchmark failed: {result.Rejection} {result.Detail}");
        }
    }
}
