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

        if (rules.ExcludedCategories.Intersect(worker.Categories, StringComparer.Ordinal).FirstOrDefault() is { } excluded)
        {
            return $"category {excluded} is excluded";
        }

        if (rules.TargetCategories.Count > 0 && !rules.TargetCategories.Intersect(worker.Categories, StringComparer.Ordinal).Any())
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
}
