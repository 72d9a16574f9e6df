using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

public sealed class KeyedServiceInjectionTests
{
    [Fact]
    public async Task A_grain_constructor_receives_the_keyed_service_it_names()
    {
        await using var silo = await TestSilo.StartAsync();
        var key = new GrainStateKey("probe", "keyed", "k");

        await silo.Grains.GetGrain<IKeyedServiceGrain>("k").WriteProbeAsync(key);

        var stored = await silo.Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName).ReadAsync(key, CancellationToken.None);
        Assert.Equal(1, stored.Version);
        Assert.Equal(new byte[] { 1, 2, 3 }, stored.Payload);
    }
}
