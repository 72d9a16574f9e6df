namespace OrleansVoucher.Grains.Campaigns;

/// <summary>
/// Who may receive a campaign's vouchers (R6), evaluated against the worker's attributes. Every rule
/// that is set must hold. Shaoxing's general voucher, for instance, is
/// <c>new() { MinLocalInsuranceMonths = 36, ExcludedCategories = ["CivilServant"] }</c>.
/// </summary>
public sealed record EligibilityRules
{
    /// <summary>Everyone is eligible.</summary>
    public static EligibilityRules Anyone { get; } = new();

    /// <summary>Months of unemployment-insurance contributions within the campaign's region, at least.</summary>
    public int? MinLocalInsuranceMonths { get; init; }

    /// <summary>Worker categories that exclude (e.g. <c>CivilServant</c> for 机关事业在编人员).</summary>
    public IReadOnlyList<string> ExcludedCategories { get; init; } = [];

    /// <summary>Worker categories of which the worker must have one (the targeted groups); empty: no such rule.</summary>
    public IReadOnlyList<string> TargetCategories { get; init; } = [];

    /// <summary>Whether the worker's household or residence-permit region must lie within the campaign's region.</summary>
    public bool RequireLocalResidence { get; init; }

    /// <summary>The youngest age, in whole years, on the day of the claim.</summary>
    public int? MinAge { get; init; }

    /// <summary>The oldest age, in whole years, on the day of the claim.</summary>
    public int? MaxAge { get; init; }
}
