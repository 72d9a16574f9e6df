namespace OrleansVoucher.Grains.Campaigns;

/// <summary>
/// A campaign (制券/发券), keyed by its id: its design, its status and its caps. It is the single writer
/// of its stock: it hands stock and budget to its issuers in blocks, and never more than its caps (R5).
/// Workers claim through <see cref="ICampaignIssuerGrain"/>; directed vouchers are issued through
/// <see cref="IRosterGrain"/>.
/// </summary>
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Creates the campaign as a draft and registers it with its region.</summary>
    Task<Result<CampaignView>> CreateAsync(CampaignDefinition definition);

    /// <summary>Changes a draft.</summary>
    Task<Result<CampaignView>> UpdateAsync(CampaignDefinition definition);

    /// <summary>Opens the campaign, fixing the policy its vouchers are issued under.</summary>
    Task<Result<CampaignView>> OpenAsync();

    /// <summary>Closes the campaign: no more claims or issuance; issued vouchers run their course.</summary>
    Task<Result<CampaignView>> CloseAsync(string reason);

    /// <summary>The campaign, or null when it does not exist.</summary>
    Task<CampaignView?> GetAsync();
}
