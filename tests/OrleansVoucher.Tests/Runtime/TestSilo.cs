using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Tests.Runtime.Grains;
using OrleansVoucher.Tests.Runtime.Stores;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>A host running one silo with the test grains, on a store the test chooses.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    /// <summary>How long a test waits for something that should happen promptly before it fails instead of hanging.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private readonly IHost _host;
    private bool _stopped;

    private TestSilo(IHost host)
    {
        _host = host;
        Runtime = host.Services.GetRequiredService<SiloRuntime>();
        Probe = host.Services.GetRequiredService<GrainProbe>();
    }

    public SiloRuntime Runtime { get; }

    public IGrainFactory Grains => Runtime.GrainFactory;

    public IServiceProvider Services => _host.Services;

    /// <summary>What this silo's test grains reported.</summary>
    public GrainProbe Probe { get; }

    /// <summary>The store of this silo, as grains see it.</summary>
    public IGrainStorage Storage => Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);

    public static async Task<TestSilo> StartAsync(
        Action<ISiloBuilder>? storage = null,
        Action<SiloOptions>? options = null,
        TimeProvider? timeProvider = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        builder.Services.AddSingleton<GrainProbe>();
        builder.Services.AddSilo(silo =>
        {
            silo.AddGrains(typeof(TestSilo).Assembly);
            (storage ?? (s => s.UseMemoryStorage()))(silo);
        });
        if (options is not null)
        {
            builder.Services.Configure(options);
        }

        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host);
    }

    /// <summary>Starts a silo on <paramref name="store"/>, its storage optionally wrapped by <paramref name="decorate"/>.</summary>
    public static Task<TestSilo> StartAsync(
        TestStore store,
        Action<SiloOptions>? options = null,
        TimeProvider? timeProvider = null,
        Func<IGrainStorage, IGrainStorage>? decorate = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        return StartAsync(silo => silo.UseTestStore(store, decorate), options, timeProvider);
    }

    /// <summary>Stops the silo: every activation is deactivated and the store drained, as in a graceful shutdown.</summary>
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

/// <summary>Wires a <see cref="TestStore"/> into a silo as its default storage.</summary>
public static class TestStoreSiloBuilderExtensions
{
    /// <summary>Uses <paramref name="store"/>, its storage wrapped by <paramref name="decorate"/> when given.</summary>
    public static ISiloBuilder UseTestStore(this ISiloBuilder builder, TestStore store, Func<IGrainStorage, IGrainStorage>? decorate = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        store.Configure(builder);
        if (decorate is not null)
        {
            var key = PersistentStateAttribute.DefaultStorageName;
            var registration = builder.Services.Last(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, key));
            var create = registration.KeyedImplementationFactory
                ?? throw new InvalidOperationException($"The {store.Name} store registers its storage without a factory; it cannot be wrapped.");
            builder.Services.Remove(registration);
            builder.Services.AddKeyedSingleton(key, (sp, serviceKey) => decorate((IGrainStorage)create(sp, serviceKey)));
        }

        return builder;
    }
}
