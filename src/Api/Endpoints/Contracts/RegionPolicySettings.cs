using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Api.Endpoints.Contracts;

/// <summary>
/// A region's policy settings (R3, R7, R9, R10, R12, R14), or a campaign's override of them. Every rule
/// that differs between provinces is one of these.
/// </summary>
/// <param name="Validity">How a voucher's deadline is set (R9).</param>
/// <param name="YearlyLimits">Activations per worker per year (R10).</param>
/// <param name="OneLiveVoucher">Whether a worker holding a valid, unused voucher is refused another (R7).</param>
/// <param name="AttendanceThresholdPercent">The attendance rate a subsidy needs, 0 to 100 (R14).</param>
/// <param name="OnlineShareCapPercent">The most of a programme's hours that may be online, 0 to 100 (R14).</param>
/// <param name="ClassRegistrationLeadDays">Days before a class starts by which it and its trainees are registered, 0 to 60 (R12).</param>
/// <param name="SanctionStrikeLimit">Strikes of one kind in a year that suspend an institution, 1 to 100 (R3).</param>
public sealed record RegionPolicySettings(
    ValiditySettings Validity,
    YearlyLimitSettings YearlyLimits,
    bool OneLiveVoucher,
    int AttendanceThresholdPercent,
    int OnlineShareCapPercent,
    int ClassRegistrationLeadDays,
    int SanctionStrikeLimit)
{
    /// <summary>The most of any yearly limit.</summary>
    public const int MaxYearlyLimit = 100;

    /// <summary>The settings of a domain policy.</summary>
    public static RegionPolicySettings From(RegionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var validity = policy.Validity.Mode == ValidityMode.SingleDeadline
            ? new ValiditySettings(ValidityMode.SingleDeadline, policy.Validity.ValidMonths)
            : new ValiditySettings(ValidityMode.ActivateThenUse, null, policy.Validity.ActivateWithinMonths, policy.Validity.UseWithinMonths);
        return new RegionPolicySettings(
            validity,
            new YearlyLimitSettings(policy.YearlyLimits.PerOccupation, policy.YearlyLimits.PerYear),
            policy.OneLiveVoucher,
            policy.AttendanceThresholdPercent,
            policy.OnlineShareCapPercent,
            policy.ClassRegistrationLeadDays,
            policy.SanctionStrikeLimit);
    }

    /// <summary>Checks every setting, naming failures under <paramref name="prefix"/>; the domain policy, or null when any is wrong.</summary>
    public RegionPolicy? Validate(RequestValidation validation, string prefix)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var before = validation.Errors.Count;
        var mode = validation.Defined($"{prefix}validity.mode", Validity.Mode);
        ValidityPolicy? validity = null;
        if (mode == ValidityMode.SingleDeadline)
        {
            var months = Months(validation, $"{prefix}validity.validMonths", Validity.ValidMonths);
            Absent(validation, $"{prefix}validity.activateWithinMonths", Validity.ActivateWithinMonths, "a single deadline");
            Absent(validation, $"{prefix}validity.useWithinMonths", Validity.UseWithinMonths, "a single deadline");
            validity = months is { } m ? ValidityPolicy.Single(m) : null;
        }
        else if (mode == ValidityMode.ActivateThenUse)
        {
            Absent(validation, $"{prefix}validity.validMonths", Validity.ValidMonths, "activate-then-use");
            var activate = Months(validation, $"{prefix}validity.activateWithinMonths", Validity.ActivateWithinMonths);
            var use = Months(validation, $"{prefix}validity.useWithinMonths", Validity.UseWithinMonths);
            validity = activate is { } a && use is { } u ? ValidityPolicy.ActivateThenUse(a, u) : null;
        }

        if (YearlyLimits.PerOccupation is { } perOccupation)
        {
            validation.Range($"{prefix}yearlyLimits.perOccupation", perOccupation, 1, MaxYearlyLimit);
        }

        if (YearlyLimits.PerYear is { } perYear)
        {
            validation.Range($"{prefix}yearlyLimits.perYear", perYear, 1, MaxYearlyLimit);
        }

        validation.Range($"{prefix}attendanceThresholdPercent", AttendanceThresholdPercent, 0, 100);
        validation.Range($"{prefix}onlineShareCapPercent", OnlineShareCapPercent, 0, 100);
        validation.Range($"{prefix}classRegistrationLeadDays", ClassRegistrationLeadDays, 0, 60);
        validation.Range($"{prefix}sanctionStrikeLimit", SanctionStrikeLimit, 1, 100);
        if (validation.Errors.Count != before || validity is null)
        {
            return null;
        }

        return new RegionPolicy
        {
            Validity = validity,
            YearlyLimits = new YearlyLimits(YearlyLimits.PerOccupation, YearlyLimits.PerYear),
            OneLiveVoucher = OneLiveVoucher,
            AttendanceThresholdPercent = AttendanceThresholdPercent,
            OnlineShareCapPercent = OnlineShareCapPercent,
            ClassRegistrationLeadDays = ClassRegistrationLeadDays,
            SanctionStrikeLimit = SanctionStrikeLimit,
        };
    }

    private static int? Months(RequestValidation validation, string field, int? value)
    {
        if (value is null)
        {
            validation.AddError(field, "Is required for this validity mode.");
            return null;
        }

        return validation.Range(field, value.Value, 1, 60);
    }

    private static void Absent(RequestValidation validation, string field, int? value, string mode)
    {
        if (value is not null)
        {
            validation.AddError(field, $"Does not apply to {mode}; leave it out.");
        }
    }
}

/// <summary>How a voucher's deadline is set (R9): periods in calendar months, ending at the end of a local day.</summary>
/// <param name="Mode"><c>singleDeadline</c> (Fujian, Shanghai) or <c>activateThenUse</c> (Shaoxing).</param>
/// <param name="ValidMonths">For a single deadline: months from issuance, 1 to 60.</param>
/// <param name="ActivateWithinMonths">For activate-then-use: months from claiming to verification, 1 to 60.</param>
/// <param name="UseWithinMonths">For activate-then-use: months from verification to completion, 1 to 60.</param>
public sealed record ValiditySettings(ValidityMode Mode, int? ValidMonths = null, int? ActivateWithinMonths = null, int? UseWithinMonths = null);

/// <summary>Yearly training limits per worker (R10), by local calendar year of activation; null means no limit.</summary>
/// <param name="PerOccupation">Activations per occupation per year (Fujian: 1).</param>
/// <param name="PerYear">Activations per year over all occupations (Shaoxing: 1).</param>
public sealed record YearlyLimitSettings(int? PerOccupation, int? PerYear);
