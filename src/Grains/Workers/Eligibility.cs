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
            var local = worker.UnemploymentInsurance.Where(r => RegionCode.Contains(campaignRegion, r.RegionCode)).Sum(r => r.Months);
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

    /// <summary>
    /// The first of <paramref name="rule"/>'s categories the worker is in, or null. Both lists are a
    /// handful of entries, so a nested scan is cheaper than the set a LINQ intersection builds per call.
    /// </summary>
    private static string? FirstShared(IReadOnlyList<string> rule, IReadOnlyList<string> worker)
    {
        for (var i = 0; i < rule.Count; i++)
        {
            for (var j = 0; j < worker.Count; j++)
            {
                if (string.Equals(rule[i], worker[j], StringComparison.Ordinal))
                {
                    return rule[i];
                }
            }
        }

        return null;
    }
}
