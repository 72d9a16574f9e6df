using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Settlement;

namespace OrleansVoucher.Grains.Vouchers;

/// <summary>A voucher as it stands now (its status computed with the current time).</summary>
public sealed record VoucherView
{
    /// <summary>The canonical code.</summary>
    public required string Code { get; init; }

    /// <summary>The issuing campaign.</summary>
    public required string CampaignId { get; init; }

    /// <summary>The issuing authority's region.</summary>
    public required string RegionCode { get; init; }

    /// <summary>The effective status.</summary>
    public VoucherStatus Status { get; init; }

    /// <summary>The holder's citizen id.</summary>
    public required string CitizenId { get; init; }

    /// <summary>Face value, credit or check-in only.</summary>
    public ValueMode ValueMode { get; init; }

    /// <summary>General or directed.</summary>
    public IssuanceMode IssuanceMode { get; init; }

    /// <summary>Basic or advanced.</summary>
    public Tier Tier { get; init; }

    /// <summary>The face value, or for a credit voucher the amount reserved for it from the campaign's budget, in fen.</summary>
    public long AmountFen { get; init; }

    /// <summary>The occupation: fixed for a directed voucher, else the one it was activated for.</summary>
    public string? OccupationCode { get; init; }

    /// <summary>The skill level, if the campaign sets one.</summary>
    public SkillLevel? Level { get; init; }

    /// <summary>When it expires unless completed first; null once completed, settled or revoked.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The institution it was issued through (directed) or activated at.</summary>
    public string? InstitutionId { get; init; }

    /// <summary>The class it was activated for.</summary>
    public string? ClassKey { get; init; }

    /// <summary>When it was issued.</summary>
    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>When it was claimed.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>When it was activated.</summary>
    public DateTimeOffset? ActivatedAt { get; init; }

    /// <summary>When it was completed.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When it was settled.</summary>
    public DateTimeOffset? SettledAt { get; init; }

    /// <summary>The certificate number recorded at completion.</summary>
    public string? CertificateNumber { get; init; }

    /// <summary>The settlement of each part.</summary>
    public IReadOnlyList<SettlementPartView> Settlement { get; init; } = [];

    /// <summary>Why it was revoked.</summary>
    public string? RevocationReason { get; init; }
}
