using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.Tests.Runtime.Stores;

/// <summary>One <see cref="MemoryGrainStorage"/> shared by every silo of a test: it outlives silo restarts.</summary>
public sealed class MemoryTestStore : TestStore
{
    private readonly MemoryGrainStorage _storage = new();

    public override string Name => "memory";

    public override void Configure(ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddKeyedSingleton<IGrainStorage>(PersistentStateAttribute.DefaultStorageName, (_, _) => _storage);
        silo.Services.AddSingleton(new StorageRegistration(PersistentStateAttribute.DefaultStorageName));
    }
}
