namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>Settings of bulk issuance, bound from the configuration section <c>BulkIssuance</c>.</summary>
public sealed class BulkIssuanceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "BulkIssuance";

    /// <summary>Rows per stored chunk of an upload: the unit of durable input, of progress and of resumption.</summary>
    public int ChunkRows { get; set; } = 8000;

    /// <summary>Chunks issued at once by one job, so that the issuers have the next chunk while one is recorded.</summary>
    public int ChunksInFlight { get; set; } = 2;

    /// <summary>Most rows one issuer issues in one atomic unit.</summary>
    public int MaxIssuerBatch { get; set; } = 2000;

    /// <summary>
    /// Most rows per second this engine dispatches of one job, or 0 for as fast as the engine and the
    /// database allow: a campaign issued during opening hours can be held back so that institutions'
    /// verifications keep their latency. The pace is kept chunk by chunk.
    /// </summary>
    public int MaxRowsPerSecond { get; set; }

    /// <summary>How long a runner's lease on a job lasts unless renewed; another engine takes the job over after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the runner looks for jobs to start or take over.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An upload that has not sent a chunk for this long (its engine died) is marked failed.</summary>
    public TimeSpan UploadStallTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The first problem with the settings, or null.</summary>
    public string? Validate()
    {
        if (ChunkRows is < 1 or > 100_000 || ChunksInFlight is < 1 or > 64 || MaxIssuerBatch is < 1 or > 100_000)
        {
            return "ChunkRows (1-100000), ChunksInFlight (1-64) and MaxIssuerBatch (1-100000) are out of range.";
        }

        if (MaxRowsPerSecond < 0)
        {
            return "MaxRowsPerSecond must be 0 (no limit) or positive.";
        }

        return LeaseDuration <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero || UploadStallTimeout <= TimeSpan.Zero
            ? "LeaseDuration, PollInterval and UploadStallTimeout must be positive."
            : null;
    }
}
