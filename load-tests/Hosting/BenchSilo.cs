using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansVoucher.Silo;
using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.LoadTests.Hosting;

/// <summary>
/// A host running one silo for a benchmark, with no console logging (stdout is the benchmark's report)
/// and only the grains and storage the benchmark chooses.
/// </summary>
internal sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host)
    {
        _host = host;
        Runtime = host.Services.GetRequiredService<SiloRuntime>();
    }

    public SiloRuntime Runtime { get; }

    public IGrainFactory Grains => Runtime.GrainFactory;

    public IServiceProvider Services => _host.Services;

    public static async Task<BenchSilo> StartAsync(Action<ISiloBuilder> configure, Action<SiloOptions>? options = null, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddSilo(configure);
        if (options is not null)
        {
            builder.Services.Configure(options);
        }

        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new BenchSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _host.Dispose();
        }
    }
}
