using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>Configures the silo a host runs: its grain classes and its storage.</summary>
public interface ISiloBuilder
{
    /// <summary>The host's services.</summary>
    IServiceCollection Services { get; }

    /// <summary>Hosts every grain class of <paramref name="assembly"/>.</summary>
    ISiloBuilder AddGrains(Assembly assembly);

    /// <summary>Hosts one grain class.</summary>
    ISiloBuilder AddGrain<TGrain>()
        where TGrain : Grain;
}
