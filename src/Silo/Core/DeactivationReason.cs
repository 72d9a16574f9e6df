namespace OrleansVoucher.Silo;

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReason
{
    /// <summary>It was idle past the collection age, or the silo needed room.</summary>
    IdleCollection,

    /// <summary>The grain asked for it with <see cref="Grain.DeactivateOnIdle"/>.</summary>
    ApplicationRequested,

    /// <summary>A write lost a version race or failed, so the in-memory state can no longer be trusted.</summary>
    InconsistentState,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,

    /// <summary>
    /// It had served calls for <see cref="Hosting.SiloOptions.MaxActivationAge"/>; the call that found it
    /// so goes to a fresh activation, which reads the grain's states again.
    /// </summary>
    Aged,
}
