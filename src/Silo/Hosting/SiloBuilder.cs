using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Catalog;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>The silo builder; collects grain classes into the <see cref="GrainTypeRegistry"/>.</summary>
internal sealed class SiloBuilder(IServiceCollection services) : ISiloBuilder
{
    public IServiceCollection Services { get; } = services;

    public List<Type> GrainClasses { get; } = [];

    public ISiloBuilder AddGrains(Assembly assembly)
    {
        GrainClasses.AddRange(GrainTypeRegistry.GrainClassesIn(assembly));
        return this;
    }

    public ISiloBuilder AddGrain<TGrain>()
        where TGrain : Grain
    {
        GrainClasses.Add(typeof(TGrain));
        return this;
    }
}
