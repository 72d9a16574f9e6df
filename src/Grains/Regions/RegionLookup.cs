using OrleansVoucher.Grains.Catalogues;

namespace OrleansVoucher.Grains.Regions;

/// <summary>
/// Settings looked up through the region hierarchy: a district without its own policy or catalogue uses
/// its city's, a city without one its province's.
/// </summary>
internal static class RegionLookup
{
    /// <summary>The region itself, then its city, then its province, without repeats.</summary>
    public static IEnumerable<string> SelfAndAncestors(string regionCode)
    {
        ArgumentNullException.ThrowIfNull(regionCode);
        yield return regionCode;
        var city = string.Concat(regionCode.AsSpan(0, 4), "00");
        if (city != regionCode)
        {
            yield return city;
        }

        var province = string.Concat(regionCode.AsSpan(0, 2), "0000");
        if (province != regionCode && province != city)
        {
            yield return province;
        }
    }

    /// <summary>The policy in force in a region: its own, or its nearest ancestor's; null when none is set.</summary>
    public static async Task<RegionPolicy?> PolicyAsync(IGrainFactory grains, string regionCode)
    {
        foreach (var region in SelfAndAncestors(regionCode))
        {
            if (await grains.GetGrain<IRegionGrain>(region).GetPolicyAsync() is { } policy)
            {
                return policy;
            }
        }

        return null;
    }

    /// <summary>An occupation of the catalogue in force in a region for a year: its own, or its nearest ancestor's.</summary>
    public static async Task<OccupationEntry?> OccupationAsync(IGrainFactory grains, string regionCode, int year, string occupationCode)
    {
        foreach (var region in SelfAndAncestors(regionCode))
        {
            if (await grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region, year)).GetAsync(occupationCode) is { } occupation)
            {
                return occupation;
            }
        }

        return null;
    }
}
