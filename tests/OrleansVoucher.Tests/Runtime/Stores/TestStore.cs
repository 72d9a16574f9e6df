using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.Tests.Runtime.Stores;

/// <summary>
/// A grain store a test runs its silos on. Every silo started on the same <see cref="TestStore"/> sees
/// the same data, as processes sharing one database do; each silo opens its own storage instance where
/// the provider allows it, so a silo restart closes and reopens the store.
/// </summary>
public abstract class TestStore : IAsyncDisposable
{
    /// <summary>The provider's name, for test output.</summary>
    public abstract string Name { get; }

    /// <summary>Makes this store the silo's default storage.</summary>
    public abstract void Configure(ISiloBuilder silo);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public override string ToString() => Name;
}
