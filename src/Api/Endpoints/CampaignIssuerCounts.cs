using System.Collections.Concurrent;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// How many issuers each campaign spreads its claims over, remembered once the campaign has left draft.
/// A campaign's design, its issuer count with it, changes only while it is a draft, so a claim need not
/// ask the campaign again: the campaign grain, which every claim of a storm would otherwise queue on,
/// is left to the issuers' stock requests. A draft or missing campaign is asked about every time, so it
/// is served as soon as it opens; status, window and stock are the issuer's to check on each claim.
/// </summary>
public sealed class CampaignIssuerCounts(IGrainFactory grains)
{
    // Only campaigns that exist and have opened are kept, a few thousand a year; the bound is for a
    // process that runs for years.
    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>The issuer count of campaign <paramref name="campaignId"/>, or null when it does not exist or is a draft.</summary>
    public async ValueTask<int?> IssuerCountAsync(string campaignId)
    {
        if (_counts.TryGetValue(campaignId, out var known))
        {
            return known;
        }

        var campaign = await grains.GetGrain<ICampaignGrain>(campaignId).GetAsync();
        if (campaign is null || campaign.Status == CampaignStatus.Draft)
        {
            return null;
        }

        if (_counts.Count >= Capacity)
        {
            _counts.Clear();
        }

        return _counts[campaignId] = campaign.Definition.IssuerCount;
    }
}
