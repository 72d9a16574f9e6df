using System.Collections.Concurrent;
using System.Reflection;

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
        var proxy = DispatchProxy.Create<TGrainInterface, GrainReference>();
        ((GrainReference)(object)proxy).Initialize(runtime, info, new GrainId(info.GrainType, key));
        return proxy;
    }
}
