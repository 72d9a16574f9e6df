using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Api.Hosting;
using OrleansVoucher.Grains;
using OrleansVoucher.Silo;
using OrleansVoucher.Silo.Catalog;

namespace OrleansVoucher.Api.Tests.Infrastructure;

/// <summary>A grain whose deactivation waits on the test's <see cref="Gate"/>: it holds an activation collection, and the request that asked for it, in flight.</summary>
public interface IGateGrain : IGrainWithStringKey
{
    /// <summary>Activates the grain.</summary>
    Task PingAsync();
}

/// <summary>The <see cref="IGateGrain"/>.</summary>
public sealed class GateGrain(Gate gate) : Grain, IGateGrain
{
    public Task PingAsync() => Task.CompletedTask;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        gate.Entered.TrySetResult();
        await gate.Opened.Task;
    }
}

/// <summary>Signals between a test and its <see cref="GateGrain"/>.</summary>
public sealed class Gate
{
    /// <summary>Set when a gate grain starts deactivating.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set by the test to let the deactivation finish.</summary>
    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Hosts the gate grain beside the engine's grains, with one <see cref="Gate"/>.</summary>
    public static Action<IServiceCollection> Install(Gate gate) => services =>
    {
        services.AddSingleton(gate);
        services.AddSingleton(new GrainTypeRegistry([
            .. GrainTypeRegistry.GrainClassesIn(typeof(GrainsAssembly).Assembly),
            .. GrainTypeRegistry.GrainClassesIn(typeof(EngineHostingExtensions).Assembly),
            typeof(GateGrain),
        ]));
    };
}
