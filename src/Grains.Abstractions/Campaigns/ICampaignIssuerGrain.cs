using System.Globalization;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>
/// Issues a campaign's vouchers, keyed <c>{campaignId}#{n}</c> (see <see cref="CampaignIssuers.KeyFor(string, string, int)"/>).
/// It draws stock and budget from the campaign in blocks and issues each voucher in one atomic write of
/// its own counters, the worker and the new voucher, so a campaign-wide write happens once per block,
/// not once per voucher.
/// </summary>
public interface ICampaignIssuerGrain : IGrainWithStringKey
{
    /// <summary>
    /// A worker claims a general voucher: the campaign is open and in its claim window, the worker is
    /// eligible (R6) and holds no valid unused voucher where the policy says so (R7), and stock and budget
    /// remain (R5).
    /// </summary>
    Task<Result<ClaimReceipt>> ClaimAsync(ClaimRequest request);
}

/// <summary>Routes claims to a campaign's issuers.</summary>
public static class CampaignIssuers
{
    /// <summary>The key of issuer <paramref name="index"/> of a campaign.</summary>
    public static string KeyFor(string campaignId, int index) => $"{campaignId}#{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The key of the issuer serving <paramref name="citizenId"/>'s claims, among <paramref name="issuerCount"/> (the campaign's <see cref="CampaignDefinition.IssuerCount"/>).</summary>
    public static string KeyFor(string campaignId, string citizenId, int issuerCount)
    {
        ArgumentNullException.ThrowIfNull(citizenId);
        ArgumentOutOfRangeException.ThrowIfLessThan(issuerCount, 1);
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in citizenId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return KeyFor(campaignId, (int)(hash % (uint)issuerCount));
    }

    /// <summary>The campaign id and issuer index in an issuer key.</summary>
    public static (string CampaignId, int Index) Parse(string issuerKey)
    {
        ArgumentNullException.ThrowIfNull(issuerKey);
        var hash = issuerKey.LastIndexOf('#');
        return hash > 0 && int.TryParse(issuerKey.AsSpan(hash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? (issuerKey[..hash], index)
            : throw new ArgumentException($"'{issuerKey}' is not an issuer key.", nameof(issuerKey));
    }
}
