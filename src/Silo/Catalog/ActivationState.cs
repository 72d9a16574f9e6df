namespace OrleansVoucher.Silo.Catalog;

/// <summary>Where an activation is in its life.</summary>
internal enum ActivationState : byte
{
    /// <summary>Registered in the catalog; nothing has run yet.</summary>
    Created,

    /// <summary>Its grain is being constructed and its states loaded; calls queue.</summary>
    Activating,

    /// <summary>Delivering calls.</summary>
    Valid,

    /// <summary>Running its deactivation hook; new calls wait for a fresh activation.</summary>
    Deactivating,

    /// <summary>Gone from the catalog.</summary>
    Invalid,
}
