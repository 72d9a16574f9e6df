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
        var info = _interfaces.GetOrAdd(typeof(TGrainInterface), static (type, rt) => new GrainInterfaceInfo(type, rt.Registry.ForInterface(type)), runtime);
        var reference = info.NewReference();
        reference.Initialize(runtime, info, new GrainId(info.GrainType, key));
        return (TGrainInterface)(object)reference;
    }
}
