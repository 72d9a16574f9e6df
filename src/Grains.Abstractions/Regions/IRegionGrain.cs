namespace OrleansVoucher.Grains.Regions;

/// <summary>
/// A region's authority (人社部门), keyed by its 6-digit region code: the region's policy settings and
/// the campaigns and institutions it has listed.
/// </summary>
public interface IRegionGrain : IGrainWithStringKey
{
    /// <summary>Sets the region's policy (R9, R10, R12, R14, R3, R7). Campaigns opened afterwards use it.</summary>
    Task<Result> SetPolicyAsync(RegionPolicy policy);

    /// <summary>The region's policy, or null when none was set.</summary>
    Task<RegionPolicy?> GetPolicyAsync();

    /// <summary>The campaigns created in the region or in its cities and districts.</summary>
    Task<IReadOnlyList<string>> ListCampaignsAsync();

    /// <summary>The institutions the region has listed (R2).</summary>
    Task<IReadOnlyList<string>> ListInstitutionsAsync();
}
