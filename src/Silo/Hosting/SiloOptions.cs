namespace OrleansVoucher.Silo.Hosting;

/// <summary>The silo's settings, bound from the configuration section <c>Silo</c>.</summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Silo";

    /// <summary>How long a caller waits for a grain call before it fails with <see cref="GrainCallTimeoutException"/>.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an activation may be idle before idle collection deactivates it.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long one activation may serve calls before the grain is activated afresh, reading its states
    /// again: the bound on how long its answers may lag a change written by another silo sharing the
    /// store (a write never acts on an older copy: it loses its version race). Checked as each call
    /// arrives; a call that finds its activation older waits for the next one. 0 means no bound, for a
    /// silo that has its store to itself.
    /// </summary>
    public TimeSpan MaxActivationAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often idle collection runs.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most activations the silo keeps resident. Past it, the least recently used idle activations
    /// are collected whatever their age, down to 80% of the limit, so memory stays bounded when a
    /// campaign touches millions of grains. 0 means no limit.
    /// </summary>
    public int MaxActivations { get; set; } = 2_000_000;

    /// <summary>How long loading a grain's states and its activation hook may take.</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a grain's deactivation hook may take.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
