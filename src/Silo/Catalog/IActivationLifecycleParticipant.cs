namespace OrleansVoucher.Silo.Catalog;

/// <summary>Something a grain owns that must be ready before its first call, such as a persistent state.</summary>
internal interface IActivationLifecycleParticipant
{
    /// <summary>Runs while the activation is activating, before <see cref="Grain.OnActivateAsync"/>.</summary>
    Task OnActivateAsync(CancellationToken cancellationToken);
}
