using System.Collections.Frozen;
using System.Reflection;

namespace OrleansVoucher.Silo.Invocation;

/// <summary>A grain interface with its implementing grain type and its compiled methods.</summary>
internal sealed class GrainInterfaceInfo
{
    private readonly FrozenDictionary<MethodInfo, GrainMethod> _methods;

    public GrainInterfaceInfo(Type grainInterface, GrainType grainType)
    {
        GrainType = grainType;
        _methods = new[] { grainInterface }
            .Concat(grainInterface.GetInterfaces())
            .Where(i => i != typeof(IAddressable) && i != typeof(IGrain) && i != typeof(IGrainWithStringKey))
            .SelectMany(i => i.GetMethods())
            .ToFrozenDictionary(m => m, GrainMethod.Create);
    }

    public GrainType GrainType { get; }

    public GrainMethod MethodFor(MethodInfo method) =>
        _methods.TryGetValue(method, out var grainMethod)
            ? grainMethod
            : throw new InvalidOperationException($"{method.DeclaringType}.{method.Name} is not a method of a grain interface.");
}
