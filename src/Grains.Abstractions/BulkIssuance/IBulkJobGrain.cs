namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>
/// A bulk issuance job, keyed by its id: an uploaded roster stored chunk by chunk, then issued through
/// the campaign's issuers under the grains' rules (R5–R7). Its counters are sums of durable chunk
/// outcomes, each recorded atomically with the counters, so they are exact after any crash.
/// </summary>
public interface IBulkJobGrain : IGrainWithStringKey
{
    /// <summary>Creates the job, receiving its upload.</summary>
    Task<Result<BulkJobView>> CreateAsync(BulkJobRequest request);

    /// <summary>Stores chunk <paramref name="index"/> of the upload (0, 1, 2, … in order); storing it again is a no-op.</summary>
    Task<Result> AppendChunkAsync(int index, BulkChunk chunk);

    /// <summary>Ends the upload: the job is queued for issuance.</summary>
    Task<Result<BulkJobView>> SealAsync(int chunkCount);

    /// <summary>Marks an upload that did not arrive whole as failed; nothing of it is issued.</summary>
    Task FailUploadAsync(string reason);

    /// <summary>Cancels the job: rows not yet issued never will be.</summary>
    Task<Result<BulkJobView>> CancelAsync();

    /// <summary>The job, or null when there is none.</summary>
    Task<BulkJobView?> GetAsync();

    /// <summary>The rows rejected so far, chunk by chunk, from <paramref name="fromChunk"/> on; null chunk index once past the last.</summary>
    Task<BulkRejectionPage> GetRejectionsAsync(int fromChunk, int maxChunks);
}

/// <summary>A page of a job's rejected rows.</summary>
/// <param name="Rejections">Rejected rows in row order within each chunk.</param>
/// <param name="NextChunk">The chunk to continue from, or null when there is no more.</param>
public sealed record BulkRejectionPage(IReadOnlyList<BulkRejection> Rejections, int? NextChunk);
