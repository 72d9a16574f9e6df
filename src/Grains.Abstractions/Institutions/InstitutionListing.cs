namespace OrleansVoucher.Grains.Institutions;

/// <summary>Who runs an institution (办学性质, seed 004 table 2).</summary>
public enum InstitutionNature
{
    /// <summary>公办.</summary>
    Public,

    /// <summary>民办.</summary>
    Private,

    /// <summary>国有企业办.</summary>
    StateEnterprise,
}

/// <summary>Whether an institution may take vouchers (R3).</summary>
public enum InstitutionStatus
{
    /// <summary>Listed and active.</summary>
    Active,

    /// <summary>Suspended until rectified: cannot verify or settle.</summary>
    Suspended,

    /// <summary>Removed from the catalogue: cannot verify or settle.</summary>
    Removed,
}

/// <summary>The kinds of strike that suspend an institution once they reach the region's limit in a year (R3, seed 002 四(四)).</summary>
public enum StrikeKind
{
    /// <summary>A lax review of a trainee's eligibility (学员资格审核把关不严).</summary>
    LaxEligibilityReview,

    /// <summary>A quality problem (质量问题).</summary>
    QualityProblem,
}

/// <summary>An institution's entry in the authority's catalogue (R2, seed 004 table 2, 001 annex 2 三(四)).</summary>
public sealed record InstitutionListing
{
    /// <summary>The institution's name.</summary>
    public required string Name { get; init; }

    /// <summary>The listing authority's region.</summary>
    public required string RegionCode { get; init; }

    /// <summary>The address.</summary>
    public string Address { get; init; } = "";

    /// <summary>Who runs it.</summary>
    public InstitutionNature Nature { get; init; }

    /// <summary>The occupation codes it may train.</summary>
    public IReadOnlyList<string> Occupations { get; init; } = [];

    /// <summary>The contact person.</summary>
    public string ContactName { get; init; } = "";

    /// <summary>The contact phone.</summary>
    public string ContactPhone { get; init; } = "";

    /// <summary>The training site, for location check-in (R13); null for an online platform without one.</summary>
    public GeoPoint? Site { get; init; }

    /// <summary>The radius around the site inside which a location check-in counts, in metres.</summary>
    public int SiteRadiusMetres { get; init; } = 200;

    /// <summary>Whether it is an online training platform (线上培训平台).</summary>
    public bool OnlinePlatform { get; init; }

    /// <summary>The first problem with the listing, or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            return "An institution needs a name.";
        }

        if (!Regions.RegionCode.IsValid(RegionCode))
        {
            return $"'{RegionCode}' is not a region code.";
        }

        if (Occupations is null || Occupations.Any(o => !Catalogues.OccupationCode.IsValid(o)))
        {
            return "Every occupation must be an occupation code.";
        }

        if (Site is { IsValid: false })
        {
            return "The site's coordinates are out of range.";
        }

        if (Site is null && !OnlinePlatform)
        {
            return "An institution that is not an online platform needs a site for check-in.";
        }

        return SiteRadiusMetres is < 10 or > 10_000 ? "The site radius must be 10 to 10,000 metres." : null;
    }
}

/// <summary>A strike against an institution.</summary>
/// <param name="Kind">Its kind.</param>
/// <param name="Reason">What happened.</param>
/// <param name="At">When it was recorded.</param>
public sealed record Strike(StrikeKind Kind, string Reason, DateTimeOffset At);

/// <summary>An institution as the catalogue shows it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Listing">Its listing.</param>
/// <param name="Status">Active, suspended or removed.</param>
/// <param name="StatusReason">Why it was suspended, reinstated or removed.</param>
/// <param name="Strikes">Its strikes of the current year.</param>
/// <param name="Verifications">Vouchers verified there, net of rollbacks.</param>
public sealed record InstitutionView(
    string Id,
    InstitutionListing Listing,
    InstitutionStatus Status,
    string? StatusReason,
    IReadOnlyList<Strike> Strikes,
    long Verifications);
