using Microsoft.Extensions.DependencyInjection;

namespace OrleansVoucher.Grains.Common;

/// <summary>The services every domain grain uses, resolved once per activation from the silo's container.</summary>
internal sealed class GrainServices
{
    public GrainServices(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Storage = services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);
        Serializer = services.GetRequiredService<IGrainStateSerializer>();
        Time = services.GetRequiredService<TimeProvider>();
    }

    /// <summary>The store the grains' states live in, for transactions that span grains and for reading streams.</summary>
    public IGrainStorage Storage { get; }

    /// <summary>The state serializer, for drafts.</summary>
    public IGrainStateSerializer Serializer { get; }

    /// <summary>The clock. Nothing in the domain reads time any other way.</summary>
    public TimeProvider Time { get; }

    /// <summary>The current time.</summary>
    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>A grain's state made transactional.</summary>
    public TransactionalState<TState> Transactional<TState>(IPersistentState<TState> state)
        where TState : class, new() => new(state, Serializer, Time);
}
