using OrleansVoucher.Silo.Catalog;

namespace OrleansVoucher.Silo;

/// <summary>
/// Base class of grain implementations. The silo creates a grain on its first call, loads its persistent
/// states, runs <see cref="OnActivateAsync"/>, then delivers calls one at a time: a call runs to the end
/// of its task, across awaits, before the next begins, so grain code needs no locks.
/// </summary>
public abstract class Grain : IAddressable
{
    private readonly ActivationData _activation;

    /// <summary>Binds the grain to the activation the silo is constructing.</summary>
    protected Grain()
    {
        _activation = ActivationData.Constructing
            ?? throw new InvalidOperationException("Grains are created by the silo. Get a reference from IGrainFactory instead.");
    }

    /// <inheritdoc />
    public GrainId GrainId => _activation.GrainId;

    /// <summary>Gets references to other grains (or this one).</summary>
    protected IGrainFactory GrainFactory => _activation.Runtime.GrainFactory;

    internal ActivationData Activation => _activation;

    /// <summary>Runs after the grain's states are loaded and before its first call is delivered.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs when the activation is being collected, after its last call completed.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current call completes; the next call activates it afresh.</summary>
    protected void DeactivateOnIdle() => _activation.RequestDeactivation(DeactivationReason.ApplicationRequested);
}
