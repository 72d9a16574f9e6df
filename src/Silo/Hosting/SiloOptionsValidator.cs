using Microsoft.Extensions.Options;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>Rejects silo settings that cannot work, at start rather than at the first call.</summary>
internal sealed class SiloOptionsValidator : IValidateOptions<SiloOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        var failures = new List<string>();
        Positive(options.ResponseTimeout, nameof(options.ResponseTimeout));
        Positive(options.CollectionAge, nameof(options.CollectionAge));
        Positive(options.CollectionQuantum, nameof(options.CollectionQuantum));
        Positive(options.ActivationTimeout, nameof(options.ActivationTimeout));
        Positive(options.DeactivationTimeout, nameof(options.DeactivationTimeout));
        if (options.MaxActivationAge < TimeSpan.Zero)
        {
            failures.Add($"Silo:{nameof(options.MaxActivationAge)} must be 0 (no bound) or positive; it is {options.MaxActivationAge}.");
        }

        if (options.MaxActivations < 0)
        {
            failures.Add($"Silo:{nameof(options.MaxActivations)} must be 0 (no limit) or positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"Silo:{setting} must be positive; it is {value}.");
            }
        }
    }
}
