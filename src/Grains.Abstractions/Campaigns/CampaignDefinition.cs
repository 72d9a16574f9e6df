using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>A face value for one skill level, for campaigns whose vouchers differ by level.</summary>
/// <param name="Level">The level.</param>
/// <param name="FaceValueFen">The face value, in fen.</param>
public sealed record LevelFaceValue(SkillLevel Level, long FaceValueFen);

/// <summary>
/// A campaign as the authority designs it (制券, R4–R6). Quantities and money caps are never exceeded
/// (R5); the claim window bounds when general vouchers may be claimed and directed ones issued.
/// </summary>
public sealed record CampaignDefinition
{
    /// <summary>The campaign's name.</summary>
    public required string Name { get; init; }

    /// <summary>The issuing authority's region.</summary>
    public required string RegionCode { get; init; }

    /// <summary>Face value, credit or check-in only.</summary>
    public ValueMode ValueMode { get; init; }

    /// <summary>General or directed.</summary>
    public IssuanceMode IssuanceMode { get; init; }

    /// <summary>Basic or advanced.</summary>
    public Tier Tier { get; init; }

    /// <summary>The skill level the vouchers are for, or null for any.</summary>
    public SkillLevel? Level { get; init; }

    /// <summary>The occupation the vouchers are for, or null (a general voucher may name none).</summary>
    public string? OccupationCode { get; init; }

    /// <summary>The face value of a face-value voucher, in fen, unless <see cref="FaceValuesByLevel"/> sets one for the claimed level.</summary>
    public long FaceValueFen { get; init; }

    /// <summary>Face values by skill level: a claim names its level and receives that face value.</summary>
    public IReadOnlyList<LevelFaceValue> FaceValuesByLevel { get; init; } = [];

    /// <summary>For a credit voucher: the amount reserved from the budget per voucher, which also caps its subsidy.</summary>
    public long CreditReserveFen { get; init; }

    /// <summary>The most vouchers the campaign issues (R5).</summary>
    public int QuantityCap { get; init; }

    /// <summary>The most face value (or credit reserve) the campaign issues, in fen (R5).</summary>
    public long BudgetCapFen { get; init; }

    /// <summary>Who may receive the vouchers (R6).</summary>
    public EligibilityRules Eligibility { get; init; } = EligibilityRules.Anyone;

    /// <summary>When claiming (or directed issuance) opens.</summary>
    public DateTimeOffset ClaimOpensAt { get; init; }

    /// <summary>When claiming (or directed issuance) closes.</summary>
    public DateTimeOffset ClaimClosesAt { get; init; }

    /// <summary>The year of the region's occupation catalogue that sets subsidy standards.</summary>
    public int CatalogueYear { get; init; }

    /// <summary>The share of the standard paid, in percent, before group uplifts (R16).</summary>
    public int SubsidyRatioPercent { get; init; } = 100;

    /// <summary>
    /// How many issuers share the campaign's claims. One is exact to the last voucher; more multiply
    /// claim throughput for campaigns of hundreds of thousands, at the cost that near the end a claim
    /// may find its issuer empty while another still holds a few vouchers.
    /// </summary>
    public int IssuerCount { get; init; } = 1;

    /// <summary>Settings that replace the region's policy for this campaign, or null to use the region's.</summary>
    public RegionPolicy? PolicyOverride { get; init; }

    /// <summary>The face value (or reserve) of a voucher of <paramref name="level"/>.</summary>
    public long AmountFor(SkillLevel? level) => ValueMode switch
    {
        ValueMode.FaceValue => FaceValueOf(level),
        ValueMode.Credit => CreditReserveFen,
        _ => 0,
    };

    /// <summary>The face value set for <paramref name="level"/>, else <see cref="FaceValueFen"/>; a loop, as every claim and bulk row asks.</summary>
    private long FaceValueOf(SkillLevel? level)
    {
        for (var i = 0; i < FaceValuesByLevel.Count; i++)
        {
            if (FaceValuesByLevel[i].Level == level)
            {
                return FaceValuesByLevel[i].FaceValueFen;
            }
        }

        return FaceValueFen;
    }

    /// <summary>The largest amount one voucher can take from the budget.</summary>
    public long MaxAmount => ValueMode switch
    {
        ValueMode.FaceValue => FaceValuesByLevel.Select(f => f.FaceValueFen).Append(FaceValueFen).Max(),
        ValueMode.Credit => CreditReserveFen,
        _ => 0,
    };

    /// <summary>The first problem with the definition, or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            return "A campaign needs a name.";
        }

        if (!Regions.RegionCode.IsValid(RegionCode))
        {
            return $"'{RegionCode}' is not a region code.";
        }

        if (OccupationCode is not null && !Catalogues.OccupationCode.IsValid(OccupationCode))
        {
            return $"'{OccupationCode}' is not an occupation code.";
        }

        if (QuantityCap < 1 || BudgetCapFen < 0)
        {
            return "The quantity cap must be at least 1 and the budget cap at least 0.";
        }

        if (FaceValueFen < 0 || CreditReserveFen < 0 || FaceValuesByLevel is null || FaceValuesByLevel.Any(f => f is null || f.FaceValueFen <= 0))
        {
            return "Amounts must not be negative, and face values by level must be positive.";
        }

        if (ValueMode == ValueMode.FaceValue && FaceValueFen <= 0 && FaceValuesByLevel.Count == 0)
        {
            return "A face-value campaign needs a face value.";
        }

        if (ValueMode == ValueMode.Credit && CreditReserveFen <= 0)
        {
            return "A credit campaign needs a reserve per voucher.";
        }

        if (ClaimClosesAt <= ClaimOpensAt)
        {
            return "The claim window must close after it opens.";
        }

        if (SubsidyRatioPercent is < 1 or > 200 || IssuerCount is < 1 or > 256)
        {
            return "The subsidy ratio must be 1-200% and the issuer count 1-256.";
        }

        if (Eligibility is null || Eligibility.MinLocalInsuranceMonths is < 0 || Eligibility.MinAge > Eligibility.MaxAge)
        {
            return "The eligibility rules are inconsistent.";
        }

        return PolicyOverride?.Validate();
    }
}
