using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>What an issuer needs of its campaign: the design, status and policy, and the stock handed to it so far.</summary>
/// <param name="Definition">The design; null when the campaign does not exist.</param>
/// <param name="Status">Draft, open or closed.</param>
/// <param name="Policy">The policy vouchers are issued under, once open.</param>
/// <param name="Quantity">Vouchers handed to this issuer, cumulatively.</param>
/// <param name="BudgetFen">Budget handed to this issuer, cumulatively.</param>
/// <param name="RemainingQuantity">Vouchers the campaign has not yet handed to any issuer.</param>
/// <param name="RemainingBudgetFen">Budget the campaign has not yet handed to any issuer.</param>
internal sealed record IssuerAllocation(CampaignDefinition? Definition, CampaignStatus Status, RegionPolicy? Policy, int Quantity, long BudgetFen, int RemainingQuantity, long RemainingBudgetFen)
{
    /// <summary>
    /// Why the campaign refuses a block of <paramref name="quantity"/> more vouchers and
    /// <paramref name="budgetFen"/> more budget, or null when what it has left covers it (R5). The
    /// campaign decides top-ups by it, and an issuer may decide by it on an allocation it was given
    /// that the campaign would refuse, without asking.
    /// </summary>
    public Result? StockRefusal(int quantity, long budgetFen) =>
        quantity > RemainingQuantity ? Result.Reject(RejectionCode.StockExhausted, $"All {Definition!.QuantityCap} vouchers have been issued.")
        : budgetFen > RemainingBudgetFen ? Result.Reject(RejectionCode.BudgetExhausted, $"The remaining budget of {RemainingBudgetFen} fen cannot cover {budgetFen} fen.")
        : null;
}

/// <summary>The campaign's side of the stock protocol with its issuers (R5).</summary>
internal interface ICampaignStock : IGrainWithStringKey
{
    /// <summary>The campaign as issuer <paramref name="index"/> sees it.</summary>
    Task<IssuerAllocation> GetAllocationAsync(int index);

    /// <summary>
    /// Hands issuer <paramref name="index"/> a block covering at least <paramref name="quantity"/> more
    /// vouchers and <paramref name="budgetFen"/> more budget, within the caps; refuses when the remaining
    /// stock or budget cannot cover that.
    /// </summary>
    Task<Result<IssuerAllocation>> AllocateAsync(int index, int quantity, long budgetFen);
}

/// <summary>Campaign ids.</summary>
internal static class CampaignIds
{
    /// <summary>Letters, digits, hyphens and underscores, 1 to 64 of them.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: >= 1 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
