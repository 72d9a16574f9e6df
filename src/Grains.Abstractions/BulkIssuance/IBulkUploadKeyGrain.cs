namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>
/// An upload's <c>Idempotency-Key</c>, keyed by a hash of the uploader and the key: the job it started.
/// An upload repeating the key gets that job instead of a new one, unless its upload failed.
/// </summary>
public interface IBulkUploadKeyGrain : IGrainWithStringKey
{
    /// <summary>Binds the key to <paramref name="jobId"/> unless it is bound to a job whose upload did not fail; returns the job it is bound to.</summary>
    Task<string> BindAsync(string jobId);
}
