using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>A host running one silo with the test grains, on a store the test chooses.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private TestSilo(IHost host)
    {
        _host = host;
        Runtime = host.Services.GetRequiredService<SiloRuntime>();
    }

    public SiloRuntime Runtime { get; }

    public IGrainFactory Grains => Runtime.GrainFactory;

    public IServiceProvider Services => _host.Services;

    public static async Task<TestSilo> StartAsync(
        Action<ISiloBuilder>? storage = null,
        Action<SiloOptions>? options = null,
        TimeProvider? timeProvider = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        builder.Services.AddSilo(silo =>
        {
            silo.AddGrains(typeof(TestSilo).Assembly);
            (storage ?? (s => s.UseMemoryStorage()))(silo);
        });
        if (options is not null)
        {
            builder.Services.Configure(options);
        }

        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
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
