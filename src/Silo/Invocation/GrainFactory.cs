using System.Collections.Concurrent;
using System.Reflection;

namespace OrleansVoucher.Silo.Invocation;

/// <summary>The silo's <see cref="IGrainFactory"/>.</summary>
internal sealed class GrainFactory(SiloRuntime runtime) : IGrainFactory
{
    private readonly ConcurrentDictionary<Type, (GrainInterfaceInfo Info, GrainReference Prototype)> _interfaces = new();

    public TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);

        // DispatchProxy.Create looks the generated proxy type up under a lock and constructs it by
        // reflection; a reference is made for nearly every grain call, so each interface's proxy is
        // created once and copied from then on.
        var (info, prototype) = _interfaces.GetOrAdd(
            typeof(TGrainInterface),
            static (type, rt) => (new GrainInterfaceInfo(type, rt.Registry.ForInterface(type)), (GrainReference)(object)DispatchProxy.Create<TGrainInterface, GrainReference>()!),
            runtime);
        var proxy = prototype.Copy();
        proxy.Initialize(runtime, info, new GrainId(info.GrainType, key));
        return (TGrainInterface)(object)proxy;
    }
}
