using System.Collections.Frozen;
using System.Reflection;

namespace OrleansVoucher.Silo.Catalog;

/// <summary>
/// The grain classes a silo hosts, and which class implements each grain interface. Built once from the
/// registered assemblies and classes; read-only afterwards.
/// </summary>
public sealed class GrainTypeRegistry
{
    private readonly FrozenDictionary<Type, GrainType> _byInterface;

    /// <summary>Registers every concrete grain class in <paramref name="grainClasses"/>.</summary>
    public GrainTypeRegistry(IEnumerable<Type> grainClasses)
    {
        ArgumentNullException.ThrowIfNull(grainClasses);
        var byInterface = new Dictionary<Type, GrainType>();
        var byName = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var grainClass in grainClasses.Distinct())
        {
            if (!IsGrainClass(grainClass))
            {
                throw new ArgumentException($"{grainClass} is not a concrete class deriving from Grain.", nameof(grainClasses));
            }

            var name = grainClass.GetCustomAttribute<GrainTypeAttribute>()?.Name ?? grainClass.Name;
            if (!byName.TryAdd(name, grainClass))
            {
                throw new InvalidOperationException($"Grain classes {byName[name]} and {grainClass} share the grain type name '{name}'; name one with [GrainType].");
            }

            var grainType = new GrainType(name, grainClass);
            foreach (var grainInterface in grainClass.GetInterfaces().Where(IsGrainInterface))
            {
                if (!byInterface.TryAdd(grainInterface, grainType))
                {
                    throw new InvalidOperationException($"Grain interface {grainInterface} is implemented by both {byInterface[grainInterface].GrainClass} and {grainClass}.");
                }
            }
        }

        _byInterface = byInterface.ToFrozenDictionary();
        GrainTypes = [.. byInterface.Values.Distinct()];
    }

    /// <summary>The registered grain types.</summary>
    public IReadOnlyList<GrainType> GrainTypes { get; }

    /// <summary>The concrete grain classes of an assembly.</summary>
    public static IEnumerable<Type> GrainClassesIn(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetTypes().Where(IsGrainClass);
    }

    /// <summary>The grain type implementing <paramref name="grainInterface"/>.</summary>
    public GrainType ForInterface(Type grainInterface) =>
        _byInterface.TryGetValue(grainInterface, out var grainType)
            ? grainType
            : throw new InvalidOperationException($"No registered grain class implements {grainInterface}. Register the grain's assembly with the silo.");

    private static bool IsGrainClass(Type type) => type is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && type.IsSubclassOf(typeof(Grain));

    private static bool IsGrainInterface(Type type) =>
        type.IsInterface && type != typeof(IGrain) && type != typeof(IGrainWithStringKey) && typeof(IGrain).IsAssignableFrom(type);
}
