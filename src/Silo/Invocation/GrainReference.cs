using System.Reflection;
using OrleansVoucher.Silo.Catalog;

namespace OrleansVoucher.Silo.Invocation;

/// <summary>
/// A reference to a grain: the object a caller holds and calls through the grain interface. It is a
/// proxy generated for the interface; each call goes to the grain's activation in this silo, which is
/// created on demand. The reference remembers the activation it last used, so repeated calls skip the
/// directory lookup until that activation is collected.
/// </summary>
public class GrainReference : DispatchProxy
{
    private SiloRuntime? _runtime;
    private GrainInterfaceInfo? _interface;
    private ActivationData? _activation;

    /// <summary>The referenced grain. The generated proxy answers <see cref="IAddressable.GrainId"/> with it.</summary>
    public GrainId GrainId { get; private set; }

    internal void Initialize(SiloRuntime runtime, GrainInterfaceInfo grainInterface, GrainId grainId)
    {
        _runtime = runtime;
        _interface = grainInterface;
        _activation = null;
        GrainId = grainId;
    }

    /// <summary>A proxy of the same generated type, to <see cref="Initialize"/> for another grain.</summary>
    internal GrainReference Copy() => (GrainReference)MemberwiseClone();

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.DeclaringType == typeof(IAddressable))
        {
            return GrainId;
        }

        var method = _interface!.MethodFor(targetMethod);
        var activation = _activation;
        if (activation is null || activation.IsDefunct)
        {
            _activation = activation = _runtime!.Catalog.GetOrCreate(GrainId);
        }

        return method.Invoke(activation, args ?? []);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is GrainReference other && other.GrainId == GrainId;

    /// <inheritdoc />
    public override int GetHashCode() => GrainId.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"GrainReference:{GrainId}";
}
