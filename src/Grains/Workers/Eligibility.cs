using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Grains.Workers;

/// <summary>Evaluates a campaign's eligibility rules against a worker (R6).</summary>
internal static class Eligibility
{
    /// <summary>Why the worker is not eligible, or null when every rule holds.</summary>
    public static string? Check(EligibilityRules rules, WorkerAttributes worker, string citizenId, string campaignRegion, DateOnly today)
    {
        if (rules.MinLocalInsuranceMonths is { } minMonths)
        {
            var local = 0;
            var records = worker.UnemploymentInsurance;
            for (var i = 0; i < records.Count; i++)
            {
                if (RegionCode.Contains(campaignRegion, records[i].RegionCode))
                {
                    local = checked(local + records[i].Months);
                }
            }

            if (local < minMonths)
            {
                return $"needs {minMonths} months of unemployment insurance in region {campaignRegion}, has {local}";
            }
        }

        if (FirstShared(rules.ExcludedCategories, worker.Categories) is { } excluded)
        {
            return $"category {excluded} is excluded";
        }

        if (rules.TargetCategories.Count > 0 && FirstShared(rules.TargetCategories, worker.Categories) is null)
        {
            return $"not in a targeted group ({string.Join(", ", rules.TargetCategories)})";
        }

        if (rules.RequireLocalResidence
            && !(worker.HouseholdRegion is { } household && RegionCode.Contains(campaignRegion, household))
            && !(worker.ResidenceRegion is { } residence && RegionCode.Contains(campaignRegion, residence)))
        {
            return $"neither household nor residence permit in region {campaignRegion}";
        }

        var age = CitizenId.AgeOn(citizenId, today);
        if (rules.MinAge is { } minAge && age < minAge)
        {
            return $"younger than {minAge}";
        }

        return rules.MaxAge is { } maxAge && age > maxAge ? $"older than {maxAge}" : null;
    }

    // The first of `these` that `those` also lists, in the order of `these` (what Intersect would yield
    // first), without the set, iterators and enumerators Intersect and foreach make on every claim.
    private static string? FirstShared(IReadOnlyList<string> these, IReadOnlyList<string> those)
    {
        for (var i = 0; i < these.Count; i++)
        {
            for (var j = 0; j < those.Count; j++)
            {
                if (string.Equals(these[i], those[j], StringComparison.Ordinal))
                {
                    return these[i];
                }
            }
        }

        return null;
    }
}
