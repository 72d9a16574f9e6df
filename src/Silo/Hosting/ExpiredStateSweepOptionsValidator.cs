using Microsoft.Extensions.Options;
using OrleansVoucher.Silo.Scheduler;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>
/// Rejects sweep settings that cannot work, and a grace period short enough that a state could be
/// deleted while an activation still holds its version.
/// </summary>
internal sealed class ExpiredStateSweepOptionsValidator(IOptions<SiloOptions> silo) : IValidateOptions<ExpiredStateSweepOptions>
{
    /// <summary>The most states one delete statement may take.</summary>
    public const int MaxBatchSize = 100_000;

    public ValidateOptionsResult Validate(string? name, ExpiredStateSweepOptions options)
    {
        var section = ExpiredStateSweepOptions.SectionName;
        var failures = new List<string>();
        if (options.Interval <= TimeSpan.Zero || !TimerLimit.IsBounded(options.Interval))
        {
            failures.Add($"{section}:{nameof(options.Interval)} must be positive and at most {TimerLimit.Max}; it is {options.Interval}.");
        }

        if (options.BatchSize is < 1 or > MaxBatchSize)
        {
            failures.Add($"{section}:{nameof(options.BatchSize)} must be from 1 to {MaxBatchSize}; it is {options.BatchSize}.");
        }

        var least = LeastGrace(silo.Value);
        if (options.Enabled && options.Grace < least)
        {
            failures.Add(
                $"{section}:{nameof(options.Grace)} must be at least {least} " +
                $"(Silo:CollectionAge + Silo:CollectionQuantum + Silo:DeactivationTimeout + {ExpiredStateSweepOptions.MinimumMargin}), " +
                $"so that no activation still holds the version of a state it deletes; it is {options.Grace}. " +
                $"A silo that collects idle activations rarely or never must raise it or set {section}:{nameof(options.Enabled)} to false.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The shortest grace period that no activation left idle can outlive.</summary>
    internal static TimeSpan LeastGrace(SiloOptions silo) => Sum(HoldLimit(silo), ExpiredStateSweepOptions.MinimumMargin);

    /// <summary>
    /// The longest an activation lives after its last call: idle for the collection age, noticed at the
    /// next collection quantum, then deactivated within the deactivation timeout.
    /// </summary>
    internal static TimeSpan HoldLimit(SiloOptions silo) => Sum(Sum(silo.CollectionAge, silo.CollectionQuantum), silo.DeactivationTimeout);

    /// <summary>The sum, or <see cref="TimeSpan.MaxValue"/> where it would overflow.</summary>
    private static TimeSpan Sum(TimeSpan a, TimeSpan b) => a > TimeSpan.MaxValue - b ? TimeSpan.MaxValue : a + b;
}
