namespace OrleansVoucher.Tests.Runtime.Stores;

/// <summary>One <see cref="MemoryGrainStorage"/> shared by every silo of a test: it outlives silo restarts.</summary>
public sealed class MemoryTestStore : TestStore
{
    private readonly MemoryGrainStorage _storage = new();

    public override string Name => "memory";

    public override IGrainStorage CreateStorage(IServiceProvider services) => _storage;
}
