using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>
/// Creates or migrates every registered store's schema before the silo takes calls. Registered before the
/// silo, so on shutdown it runs after the silo has deactivated its grains; the container then disposes
/// the stores, which drains their pending writes.
/// </summary>
internal sealed class StorageInitializer(IServiceProvider services, IEnumerable<StorageRegistration> registrations) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var registration in registrations.DistinctBy(r => r.Name))
        {
            var storage = services.GetRequiredKeyedService<IGrainStorage>(registration.Name);
            await storage.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
