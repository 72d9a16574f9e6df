using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>Runs bulk issuance jobs in the host of the silo.</summary>
public static class BulkIssuanceServiceCollectionExtensions
{
    /// <summary>
    /// Adds the runner that issues (and after a restart resumes) bulk jobs, with settings from the
    /// <c>BulkIssuance</c> section. The bulk grains are hosted with the voucher grains.
    /// </summary>
    public static IServiceCollection AddBulkIssuance(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<BulkIssuanceOptions>().BindConfiguration(BulkIssuanceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BulkIssuanceOptions>, BulkIssuanceOptionsValidator>();
        services.TryAddSingleton<BulkIssuanceMetrics>();
        services.AddSingleton<BulkJobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<BulkJobRunner>());
        services.AddSingleton<IBulkJobQueue>(sp => sp.GetRequiredService<BulkJobRunner>());
        return services;
    }

    private sealed class BulkIssuanceOptionsValidator : IValidateOptions<BulkIssuanceOptions>
    {
        public ValidateOptionsResult Validate(string? name, BulkIssuanceOptions options) =>
            options.Validate() is { } problem ? ValidateOptionsResult.Fail($"{BulkIssuanceOptions.SectionName}: {problem}") : ValidateOptionsResult.Success;
    }
}

/// <summary>Tells this engine's runner that a job was queued, so it starts at once rather than at its next poll.</summary>
public interface IBulkJobQueue
{
    /// <summary>Looks for work now.</summary>
    void Kick();
}
