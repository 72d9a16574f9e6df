using Microsoft.Extensions.Options;

namespace OrleansVoucher.Api.Idempotency;

/// <summary>
/// The idempotency-key policy, bound from the configuration section <c>Api:Idempotency</c>. A
/// completed request's response is replayed for <see cref="Retention"/> after it was first received;
/// afterwards the key is free again. A request in flight blocks its key for at most
/// <see cref="InFlightLease"/>; a record still in flight after that (its process crashed) is taken over
/// by the next request with the key.
/// </summary>
public sealed class IdempotencyOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Api:Idempotency";

    /// <summary>How long a key's response is replayed: 24 hours.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a request may hold its key in flight: 2 minutes, longer than any request runs.</summary>
    public TimeSpan InFlightLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest response body kept for replay: 1 MiB; a larger one is replayed as status and headers only.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;
}

/// <summary>Refuses idempotency settings that cannot work.</summary>
internal sealed class IdempotencyOptionsValidator : IValidateOptions<IdempotencyOptions>
{
    public ValidateOptionsResult Validate(string? name, IdempotencyOptions options)
    {
        var failures = new List<string>();
        if (options.Retention < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{IdempotencyOptions.SectionName}:Retention must be at least a minute; it is {options.Retention}.");
        }

        if (options.InFlightLease < TimeSpan.FromSeconds(5) || options.InFlightLease > options.Retention)
        {
            failures.Add($"{IdempotencyOptions.SectionName}:InFlightLease must be from 5 seconds to the retention; it is {options.InFlightLease}.");
        }

        if (options.MaxResponseBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"{IdempotencyOptions.SectionName}:MaxResponseBytes must be from 1 KiB to 16 MiB; it is {options.MaxResponseBytes}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
