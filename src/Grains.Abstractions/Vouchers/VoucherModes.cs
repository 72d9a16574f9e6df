namespace OrleansVoucher.Grains.Vouchers;

/// <summary>What a voucher is worth (R4).</summary>
public enum ValueMode
{
    /// <summary>面值券: a fixed amount, which also caps its subsidy.</summary>
    FaceValue,

    /// <summary>抵用券: no face value; the credential for the subsidy at the catalogue standard.</summary>
    Credit,

    /// <summary>打卡签到专用券 (Shanghai): records attendance only and carries no subsidy.</summary>
    CheckInOnly,
}

/// <summary>How vouchers reach workers (R4).</summary>
public enum IssuanceMode
{
    /// <summary>通用券: eligible workers claim from the campaign's stock and choose institution and programme.</summary>
    General,

    /// <summary>定向券: issued to the named workers of an institution's approved roster, bound to an occupation.</summary>
    Directed,
}

/// <summary>The tier of a campaign's training (R4).</summary>
public enum Tier
{
    /// <summary>普及型.</summary>
    Basic,

    /// <summary>提升型.</summary>
    Advanced,
}

/// <summary>A voucher's life cycle. <see cref="Expired"/> is never stored: it follows from the deadline and the clock.</summary>
public enum VoucherStatus
{
    /// <summary>Issued to a named worker (directed), not yet claimed.</summary>
    Issued,

    /// <summary>Claimed by its holder after real-name verification.</summary>
    Claimed,

    /// <summary>Verified at enrolment; bound to an institution, occupation and class.</summary>
    Activated,

    /// <summary>Training passed, certificate recorded, attendance met.</summary>
    Completed,

    /// <summary>Subsidy approved for every part; the code is invalid for good.</summary>
    Settled,

    /// <summary>Past its deadline before completion.</summary>
    Expired,

    /// <summary>Revoked by the authority.</summary>
    Revoked,
}
