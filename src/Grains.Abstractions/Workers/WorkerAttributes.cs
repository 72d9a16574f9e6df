using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Grains.Workers;

/// <summary>Months of unemployment-insurance contributions paid in one region.</summary>
/// <param name="RegionCode">The region (district or city) contributions were paid in.</param>
/// <param name="Months">Months paid there, cumulatively.</param>
public sealed record InsuranceRecord(string RegionCode, int Months);

/// <summary>
/// What the authority knows of a worker from social-security and employment records, against which
/// campaigns' eligibility rules are evaluated (R6).
/// </summary>
public sealed record WorkerAttributes
{
    /// <summary>The worker's name.</summary>
    public string? Name { get; init; }

    /// <summary>Unemployment-insurance contributions by region.</summary>
    public IReadOnlyList<InsuranceRecord> UnemploymentInsurance { get; init; } = [];

    /// <summary>
    /// Categories the worker belongs to, e.g. <c>CivilServant</c>, <c>RegisteredUnemployed</c>,
    /// <c>LowIncomeRural</c>, <c>EmploymentDifficulty</c>; campaigns target or exclude them, and
    /// catalogue uplifts name them.
    /// </summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>The household-registration region (户籍).</summary>
    public string? HouseholdRegion { get; init; }

    /// <summary>The residence-permit region (居住证).</summary>
    public string? ResidenceRegion { get; init; }

    /// <summary>The first problem with the attributes, or null.</summary>
    public string? Validate()
    {
        if (UnemploymentInsurance is null || UnemploymentInsurance.Any(r => r is null || !Regions.RegionCode.IsValid(r.RegionCode) || r.Months < 0))
        {
            return "Insurance records need a region code and a non-negative number of months.";
        }

        if (Categories is null || Categories.Any(string.IsNullOrWhiteSpace))
        {
            return "Categories must not be blank.";
        }

        return (HouseholdRegion is not null && !Regions.RegionCode.IsValid(HouseholdRegion))
            || (ResidenceRegion is not null && !Regions.RegionCode.IsValid(ResidenceRegion))
            ? "Household and residence regions must be region codes."
            : null;
    }
}

/// <summary>A voucher a worker holds that has not reached its end (completion, settlement, revocation).</summary>
/// <param name="Code">The voucher.</param>
/// <param name="CampaignId">Its campaign.</param>
/// <param name="Status">Its status now: issued, claimed or activated, or expired once past its deadline.</param>
/// <param name="Deadline">Its deadline.</param>
public sealed record HeldVoucher(string Code, string CampaignId, VoucherStatus Status, DateTimeOffset Deadline);

/// <summary>A yearly training slot taken by an activation (R10).</summary>
/// <param name="Year">The local calendar year.</param>
/// <param name="OccupationCode">The occupation.</param>
/// <param name="VoucherCode">The voucher that took it.</param>
public sealed record YearlySlot(int Year, string OccupationCode, string VoucherCode);

/// <summary>A worker.</summary>
/// <param name="CitizenId">The citizen id.</param>
/// <param name="Attributes">What is known of them.</param>
/// <param name="Vouchers">Vouchers held and not yet completed, settled or revoked.</param>
/// <param name="Slots">Yearly slots taken.</param>
public sealed record WorkerView(string CitizenId, WorkerAttributes Attributes, IReadOnlyList<HeldVoucher> Vouchers, IReadOnlyList<YearlySlot> Slots);

/// <summary>One record of a worker's lifelong training archive (DOMAIN "What a voucher is").</summary>
/// <param name="At">When it happened.</param>
/// <param name="Kind">What happened: the event's name, e.g. <c>VoucherClaimed</c>, <c>TraineeCheckedIn</c>, <c>VoucherExpired</c>.</param>
/// <param name="VoucherCode">The voucher concerned.</param>
/// <param name="CampaignId">Its campaign.</param>
/// <param name="InstitutionId">The institution concerned.</param>
/// <param name="ClassKey">The class concerned.</param>
/// <param name="OccupationCode">The occupation concerned.</param>
/// <param name="Detail">Particulars: a certificate number, a session, an amount, a reason.</param>
public sealed record ArchiveEntry(
    DateTimeOffset At,
    string Kind,
    string? VoucherCode,
    string? CampaignId,
    string? InstitutionId,
    string? ClassKey,
    string? OccupationCode,
    string? Detail);
