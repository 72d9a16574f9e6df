using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansVoucher.Silo.Catalog;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>Adds a silo to a .NET host.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds the silo, running as a hosted service, with settings from the <c>Silo</c> configuration
    /// section. Choose the grains and the storage in <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddSilo(this IServiceCollection services, Action<ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new SiloBuilder(services);
        configure(builder);

        services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGrainStateSerializer>(sp => new JsonGrainStateSerializer(sp.GetRequiredService<IOptions<GrainStateJsonOptions>>().Value.Contexts));
        services.TryAddSingleton<SiloMetrics>();
        services.AddSingleton(new GrainTypeRegistry(builder.GrainClasses));
        services.AddSingleton<SiloRuntime>();
        services.AddSingleton(sp => sp.GetRequiredService<SiloRuntime>().GrainFactory);
        services.AddOptions<ExpiredStateSweepOptions>().BindConfiguration(ExpiredStateSweepOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExpiredStateSweepOptions>, ExpiredStateSweepOptionsValidator>();
        services.AddSingleton<ExpiredStateSweeper>();
        services.AddHostedService<StorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<SiloRuntime>());

        // After the stores are initialized; stopped before they are disposed.
        services.AddHostedService(sp => sp.GetRequiredService<ExpiredStateSweeper>());
        return services;
    }
}
