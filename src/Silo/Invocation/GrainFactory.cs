using System.Collections.Concurrent;

namespace OrleansVoucher.Silo.Invocation;

/// <summary>The silo's <see cref="IGrainFactory"/>.</summary>
internal sealed class GrainFactory(SiloRuntime runtime) : IGrainFactory
{
    private readonly ConcurrentDictionary<Type, GrainInterfaceInfo> _interfaces = new();

    public TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var info = InfoOf(typeof(TGrainInterface));
        var reference = info.NewReference();
        reference.Initialize(runtime, info, new GrainId(info.GrainType, key));
        return (TGrainInterface)(object)reference;
    }

    /// <summary>The identity of the grain a reference from <see cref="GetGrain{TGrainInterface}"/> would address, without the reference.</summary>
    public GrainId IdOf<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new GrainId(InfoOf(typeof(TGrainInterface)).GrainType, key);
    }

    private GrainInterfaceInfo InfoOf(Type grainInterface) =>
        _interfaces.GetOrAdd(grainInterface, static (type, rt) => new GrainInterfaceInfo(type, rt.Registry.ForInterface(type)), runtime);
}
