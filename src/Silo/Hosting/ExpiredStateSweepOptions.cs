namespace OrleansVoucher.Silo.Hosting;

/// <summary>
/// Settings of the <see cref="ExpiredStateSweeper"/>, bound from the configuration section
/// <c>Silo:ExpiredStateSweep</c>: how often the silo deletes stored states that declared an expiry
/// (<see cref="Storage.IExpiringState"/>) which has passed, and how long after the expiry.
/// </summary>
public sealed class ExpiredStateSweepOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Silo:ExpiredStateSweep";

    /// <summary>
    /// The least by which <see cref="Grace"/> must exceed the longest an activation can hold a state
    /// without being called (<see cref="SiloOptions.CollectionAge"/> + <see cref="SiloOptions.CollectionQuantum"/>
    /// + <see cref="SiloOptions.DeactivationTimeout"/>): room for clocks of several silos that disagree and
    /// for a write that waits in a batch.
    /// </summary>
    public static readonly TimeSpan MinimumMargin = TimeSpan.FromMinutes(5);

    /// <summary>Whether this silo sweeps. Several silos sharing a store may all sweep; they skip each other's rows.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often a sweep runs: 5 minutes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a state must have been expired before it is deleted: 1 hour. Deleting a state resets its
    /// version, so no activation may still hold the deleted version: the grace must exceed, by at least
    /// <see cref="MinimumMargin"/>, how long idle collection lets an activation live without a call
    /// (see <see cref="Storage.IExpiringState"/>). Checked at start.
    /// </summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most states deleted in one statement (one short transaction); a sweep runs batches until one comes back short.</summary>
    public int BatchSize { get; set; } = 1000;
}
