using System.Collections.Frozen;
using System.Reflection;

namespace OrleansVoucher.Silo.Invocation;

/// <summary>A grain interface with its implementing grain type and its compiled methods.</summary>
internal sealed class GrainInterfaceInfo
{
    private readonly FrozenDictionary<MethodInfo, GrainMethod> _methods;

    private readonly GrainReference _prototype;

    public GrainInterfaceInfo(Type grainInterface, GrainType grainType)
    {
        GrainType = grainType;

        // The proxy type is generated once per interface; creating an instance through DispatchProxy
        // binds its constructor by reflection each time (over a microsecond), a copy of this one costs
        // a few nanoseconds.
        _prototype = (GrainReference)DispatchProxy.Create(grainInterface, typeof(GrainReference));
        _methods = new[] { grainInterface }
            .Concat(grainInterface.GetInterfaces())
            .Where(i => i != typeof(IAddressable) && i != typeof(IGrain) && i != typeof(IGrainWithStringKey))
            .SelectMany(i => i.GetMethods())
            .ToFrozenDictionary(m => m, GrainMethod.Create);
    }

    public GrainType GrainType { get; }

    /// <summary>A new, uninitialized reference implementing the interface.</summary>
    public GrainReference NewReference() => _prototype.Copy();

    public GrainMethod MethodFor(MethodInfo method) =>
        _methods.TryGetValue(method, out var grainMethod)
            ? grainMethod
            : throw new InvalidOperationException($"{method.DeclaringType}.{method.Name} is not a method of a grain interface.");
}
