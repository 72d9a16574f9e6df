using Microsoft.Extensions.DependencyInjection;

namespace OrleansVoucher.Tests.Runtime.Grains;

public interface IKeyedServiceGrain : IGrainWithStringKey
{
    Task WriteProbeAsync(GrainStateKey key);
}

public sealed class KeyedServiceGrain([FromKeyedServices(PersistentStateAttribute.DefaultStorageName)] IGrainStorage storage) : Grain, IKeyedServiceGrain
{
    public Task WriteProbeAsync(GrainStateKey key) => storage.WriteAsync(new StateWrite(key, 0, [1, 2, 3]));
}
