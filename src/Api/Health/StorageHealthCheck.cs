using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Api.Health;

/// <summary>Ready when the grain store answers a read: the same path a grain's activation takes.</summary>
internal sealed class StorageHealthCheck([FromKeyedServices(PersistentStateAttribute.DefaultStorageName)] IGrainStorage storage) : IHealthCheck
{
    private static readonly GrainStateKey s_probe = new("health", "probe", "ready");

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.ReadAsync(s_probe, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The grain store did not answer a read.", exception);
        }
    }
}
