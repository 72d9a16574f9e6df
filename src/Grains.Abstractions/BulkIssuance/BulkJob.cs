namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>Where a bulk issuance job stands.</summary>
public enum BulkJobStatus
{
    /// <summary>The upload is being received and stored.</summary>
    Receiving,

    /// <summary>The upload is stored; issuance has not started.</summary>
    Queued,

    /// <summary>Issuing.</summary>
    Running,

    /// <summary>Every row was issued or rejected.</summary>
    Completed,

    /// <summary>Cancelled by the authority: rows not yet issued never will be.</summary>
    Cancelled,

    /// <summary>The upload did not arrive whole (the client went away, or it was too large); nothing was issued.</summary>
    Failed,
}

/// <summary>The format of an upload.</summary>
public enum BulkFormat
{
    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,

    /// <summary>Newline-delimited JSON, one object per row.</summary>
    Ndjson,
}

/// <summary>What starts a job.</summary>
/// <param name="CampaignId">The campaign to issue.</param>
/// <param name="RegionCode">The campaign's region, for scope checks.</param>
/// <param name="Format">The upload's format.</param>
/// <param name="CreatedBy">The authority that uploaded it.</param>
/// <param name="DefaultInstitutionId">The institution of directed rows that name none.</param>
public sealed record BulkJobRequest(string CampaignId, string RegionCode, BulkFormat Format, string CreatedBy, string? DefaultInstitutionId);

/// <summary>A job as the authority sees it.</summary>
/// <param name="Id">The job.</param>
/// <param name="CampaignId">Its campaign.</param>
/// <param name="RegionCode">The campaign's region.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="RowsRead">Rows read from the upload.</param>
/// <param name="Issued">Rows issued a voucher (durable).</param>
/// <param name="Rejected">Rows rejected, with a reason (durable).</param>
/// <param name="ProgressPercent">Rows decided over rows read, in percent.</param>
/// <param name="RowsPerSecond">Rows decided per second since the job last started or resumed.</param>
/// <param name="EstimatedSecondsLeft">Rows left over that rate, while running.</param>
/// <param name="CreatedAt">When the upload began.</param>
/// <param name="StartedAt">When issuance began.</param>
/// <param name="FinishedAt">When it completed, was cancelled or failed.</param>
/// <param name="Detail">Why it failed or was cancelled.</param>
public sealed record BulkJobView(
    string Id,
    string CampaignId,
    string RegionCode,
    BulkJobStatus Status,
    long RowsRead,
    long Issued,
    long Rejected,
    double ProgressPercent,
    double? RowsPerSecond,
    double? EstimatedSecondsLeft,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Detail);

/// <summary>One stored chunk of an upload: its rows, and the rows the upload itself rejected.</summary>
/// <param name="Rows">Rows to issue, in row order.</param>
/// <param name="Rejections">Rows that could not be read.</param>
public sealed record BulkChunk(IReadOnlyList<BulkRow> Rows, IReadOnlyList<BulkRejection> Rejections)
{
    /// <summary>Rows read into the chunk, readable or not.</summary>
    public int RowCount => Rows.Count + Rejections.Count;
}
