using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansVoucher.Grains;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Testing;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// A host running one silo with the voucher programme's grains on a <see cref="DomainStore"/>, on a
/// manual clock. Several silos on one store are several processes sharing one database.
/// </summary>
public sealed class DomainSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private DomainSilo(IHost host)
    {
        _host = host;
        Runtime = host.Services.GetRequiredService<SiloRuntime>();
        Storage = host.Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);
    }

    public SiloRuntime Runtime { get; }

    public IGrainFactory Grains => Runtime.GrainFactory;

    /// <summary>The storage the grains use (after any decoration).</summary>
    public IGrainStorage Storage { get; }

    public static async Task<DomainSilo> StartAsync(DomainStore store, TimeProvider clock, Func<IGrainStorage, IGrainStorage>? decorate = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSilo(silo =>
        {
            silo.AddVoucherGrains();
            store.Configure(silo, decorate);
        });
        builder.Services.Configure<SiloOptions>(options =>
        {
            options.ResponseTimeout = TimeSpan.FromSeconds(60);

            // Tests move the clock by months: idle collection would run once per simulated quantum.
            options.CollectionQuantum = TimeSpan.FromDays(1000);
            options.CollectionAge = TimeSpan.FromDays(1000);
        });

        // Without idle collection no grace period makes deleting expired states safe.
        builder.Services.Configure<ExpiredStateSweepOptions>(options => options.Enabled = false);
        var host = builder.Build();
        await host.StartAsync();
        return new DomainSilo(host);
    }

    /// <summary>Stops the silo as a graceful shutdown does.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }
}

/// <summary>A store domain tests run on; every silo started on one store sees the same data.</summary>
public abstract class DomainStore : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>Makes this store (wrapped by <paramref name="decorate"/>, if given) the silo's default storage.</summary>
    public abstract void Configure(ISiloBuilder silo, Func<IGrainStorage, IGrainStorage>? decorate);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override string ToString() => Name;
}

/// <summary>One <see cref="MemoryGrainStorage"/>, shared by every silo of a test and outliving restarts.</summary>
public sealed class MemoryDomainStore(TimeProvider clock) : DomainStore
{
    private readonly MemoryGrainStorage _storage = new(clock);

    public override string Name => "memory";

    public override void Configure(ISiloBuilder silo, Func<IGrainStorage, IGrainStorage>? decorate)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddKeyedSingleton(PersistentStateAttribute.DefaultStorageName, (_, _) => decorate is null ? _storage : decorate(_storage));
        silo.Services.AddSingleton(new StorageRegistration(PersistentStateAttribute.DefaultStorageName));
    }
}

/// <summary>
/// The base of every domain test class: a manual clock, a store chosen by the concrete class, and a
/// silo on both. Each feature's tests are written once and run on every store.
/// </summary>
public abstract class DomainTestBase : IAsyncLifetime
{
    protected DomainTestBase() => Clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));

    protected ManualTimeProvider Clock { get; }

    protected DomainStore Store { get; private set; } = null!;

    protected DomainSilo Silo { get; private set; } = null!;

    protected IGrainFactory Grains => Silo.Grains;

    protected Scenario Given { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        Silo = await DomainSilo.StartAsync(Store, Clock);
        Given = new Scenario(this);
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Store.DisposeAsync();
    }

    /// <summary>The store this class's tests run on.</summary>
    protected abstract Task<DomainStore> CreateStoreAsync();

    /// <summary>Stops the silo and starts a fresh one on the same store: nothing survives but what is durable.</summary>
    protected async Task RestartAsync(Func<IGrainStorage, IGrainStorage>? decorate = null)
    {
        await Silo.DisposeAsync();
        Silo = await DomainSilo.StartAsync(Store, Clock, decorate);
    }

    /// <summary>Starts another silo on the same store, as another process sharing the database.</summary>
    protected Task<DomainSilo> StartAnotherSiloAsync(Func<IGrainStorage, IGrainStorage>? decorate = null) => DomainSilo.StartAsync(Store, Clock, decorate);

    internal IGrainFactory CurrentGrains => Silo.Grains;

    internal ManualTimeProvider CurrentClock => Clock;
}
