using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OrleansVoucher.Grains.Catalogues;

namespace OrleansVoucher.Grains.Regions;

/// <summary>
/// Settings looked up through the region hierarchy: a district without its own policy or catalogue uses
/// its city's, a city without one its province's.
/// </summary>
internal static class RegionLookup
{
    /// <summary>At most this many regions' years of catalogue references are kept per silo; past it they are made again.</summary>
    private const int MaxCataloguesKept = 4096;

    /// <summary>
    /// The catalogues an occupation is looked up in, nearest first, by region and year, for each silo's
    /// grain factory. Every voucher check and verification looks its occupation up: keeping these
    /// references saves making up to three keys and references each time, and a kept reference
    /// remembers its catalogue's activation. Regions and years are few; the catalogues' contents are
    /// still read from the catalogue grains on every lookup.
    /// </summary>
    private static readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<(string Region, int Year), IOccupationCatalogueGrain[]>> s_catalogues = new();

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
        var catalogues = CataloguesOf(grains, regionCode, year);
        foreach (var catalogue in catalogues)
        {
            if (await catalogue.GetAsync(occupationCode) is { } occupation)
            {
                return occupation;
            }
        }

        // Not found is confirmed on the store before anyone is refused for it: the occupation may have
        // been published through another engine since these activations read their catalogues.
        foreach (var catalogue in catalogues)
        {
            if (await catalogue.ReadAsync(occupationCode) is { } occupation)
            {
                return occupation;
            }
        }

        return null;
    }

    /// <summary>The catalogue grains of a region's year and its ancestors', nearest first.</summary>
    private static IOccupationCatalogueGrain[] CataloguesOf(IGrainFactory grains, string regionCode, int year)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(regionCode);
        var kept = s_catalogues.GetValue(grains, static _ => new());
        if (kept.TryGetValue((regionCode, year), out var catalogues))
        {
            return catalogues;
        }

        catalogues = [.. SelfAndAncestors(regionCode).Select(region => grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region, year)))];
        if (kept.Count >= MaxCataloguesKept)
        {
            kept.Clear();
        }

        kept.TryAdd((regionCode, year), catalogues);
        return catalogues;
    }
}
