namespace OrleansVoucher.Grains.Regions;

/// <summary>How a voucher's deadline is set (R9).</summary>
public enum ValidityMode
{
    /// <summary>One deadline, counted from issuance: past it the voucher is void if unused or its training unfinished (Fujian, Shanghai).</summary>
    SingleDeadline,

    /// <summary>Activate (verify at enrolment) within a period of claiming, then finish within a period of activation (Shaoxing).</summary>
    ActivateThenUse,
}

/// <summary>The validity of a region's vouchers (R9). Periods are calendar months ending at the end of a local day.</summary>
/// <param name="Mode">How the deadline is set.</param>
/// <param name="ValidMonths">For <see cref="ValidityMode.SingleDeadline"/>: months from issuance.</param>
/// <param name="ActivateWithinMonths">For <see cref="ValidityMode.ActivateThenUse"/>: months from claiming to activate.</param>
/// <param name="UseWithinMonths">For <see cref="ValidityMode.ActivateThenUse"/>: months from activation to complete.</param>
public sealed record ValidityPolicy(ValidityMode Mode, int ValidMonths, int ActivateWithinMonths, int UseWithinMonths)
{
    /// <summary>One deadline, <paramref name="months"/> after issuance.</summary>
    public static ValidityPolicy Single(int months) => new(ValidityMode.SingleDeadline, months, 0, 0);

    /// <summary>Activate within <paramref name="activateWithin"/> months of claiming, then use within <paramref name="useWithin"/> months.</summary>
    public static ValidityPolicy ActivateThenUse(int activateWithin, int useWithin) => new(ValidityMode.ActivateThenUse, 0, activateWithin, useWithin);
}

/// <summary>Yearly training limits per worker (R10), counted by local calendar year of activation. Null means no limit.</summary>
/// <param name="PerOccupation">Activations per worker per occupation per year (Fujian: 1).</param>
/// <param name="PerYear">Activations per worker per year over all occupations (Shaoxing: 1).</param>
public sealed record YearlyLimits(int? PerOccupation, int? PerYear);

/// <summary>
/// A region's policy settings: every rule that differs between provinces is one of these, never a
/// constant. A campaign takes a copy when it opens (optionally overridden by its own settings), and
/// each voucher keeps the copy it was issued under, so changing a policy never changes vouchers
/// already issued.
/// </summary>
public sealed record RegionPolicy
{
    /// <summary>Voucher validity (R9).</summary>
    public ValidityPolicy Validity { get; init; } = ValidityPolicy.Single(3);

    /// <summary>Yearly limits (R10).</summary>
    public YearlyLimits YearlyLimits { get; init; } = new(PerOccupation: 1, PerYear: null);

    /// <summary>Whether a worker holding a valid, unused voucher is refused another (R7).</summary>
    public bool OneLiveVoucher { get; init; } = true;

    /// <summary>The attendance rate needed for a subsidy, in percent (R14).</summary>
    public int AttendanceThresholdPercent { get; init; } = 60;

    /// <summary>The most online hours may be of a programme's total, in percent (R14).</summary>
    public int OnlineShareCapPercent { get; init; } = 40;

    /// <summary>How many days before a class starts it and its trainees must be registered (R12).</summary>
    public int ClassRegistrationLeadDays { get; init; } = 3;

    /// <summary>Strikes of one kind in a year that suspend an institution (R3).</summary>
    public int SanctionStrikeLimit { get; init; } = 3;

    /// <summary>
    /// Fujian (seed 000 §7, §10; 004 五): vouchers valid 3 months; one training per occupation per year;
    /// a worker holding a valid unused voucher gets no new one; online at most 40% of a programme.
    /// </summary>
    public static RegionPolicy Fujian { get; } = new()
    {
        Validity = ValidityPolicy.Single(3),
        YearlyLimits = new YearlyLimits(PerOccupation: 1, PerYear: null),
        OneLiveVoucher = true,
        ClassRegistrationLeadDays = 0,
    };

    /// <summary>
    /// Shaoxing (seed 002 三(一), 三(六), 四(四)): activate within 3 months of claiming, then usable 6
    /// months; one voucher activated per worker per year; 60% attendance; 3 strikes suspend.
    /// </summary>
    public static RegionPolicy Shaoxing { get; } = new()
    {
        Validity = ValidityPolicy.ActivateThenUse(3, 6),
        YearlyLimits = new YearlyLimits(PerOccupation: null, PerYear: 1),
        OneLiveVoucher = false,
        ClassRegistrationLeadDays = 0,
    };

    /// <summary>
    /// Shanghai (seed 003 三(二), 三(五)): classes and trainees registered at least 3 days before the class
    /// starts; vouchers void when unused within the validity the programme sets (6 months here).
    /// </summary>
    public static RegionPolicy Shanghai { get; } = new()
    {
        Validity = ValidityPolicy.Single(6),
        YearlyLimits = new YearlyLimits(PerOccupation: null, PerYear: null),
        OneLiveVoucher = false,
        ClassRegistrationLeadDays = 3,
    };

    /// <summary>The first setting out of range, or null when the policy is usable.</summary>
    public string? Validate()
    {
        if (Validity is null || YearlyLimits is null)
        {
            return "Validity and yearly limits are required.";
        }

        var periodsValid = Validity.Mode switch
        {
            ValidityMode.SingleDeadline => Validity.ValidMonths is >= 1 and <= 60,
            ValidityMode.ActivateThenUse => Validity.ActivateWithinMonths is >= 1 and <= 60 && Validity.UseWithinMonths is >= 1 and <= 60,
            _ => false,
        };
        if (!periodsValid)
        {
            return "Validity periods must be 1 to 60 months.";
        }

        if (YearlyLimits.PerOccupation is < 1 || YearlyLimits.PerYear is < 1)
        {
            return "Yearly limits must be at least 1, or none.";
        }

        if (AttendanceThresholdPercent is < 0 or > 100 || OnlineShareCapPercent is < 0 or > 100)
        {
            return "Percentages must be 0 to 100.";
        }

        if (ClassRegistrationLeadDays is < 0 or > 60)
        {
            return "The class registration lead time must be 0 to 60 days.";
        }

        return SanctionStrikeLimit < 1 ? "The strike limit must be at least 1." : null;
    }
}
