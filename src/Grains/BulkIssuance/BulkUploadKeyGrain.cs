namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>The job an upload's idempotency key is bound to.</summary>
internal sealed class BulkUploadKeyState
{
    public string? JobId { get; set; }
}

/// <summary>An upload's idempotency key, keyed by a hash of the uploader and the key.</summary>
[GrainType("bulk-upload-key")]
internal sealed class BulkUploadKeyGrain([PersistentState("key")] IPersistentState<BulkUploadKeyState> state) : Grain, IBulkUploadKeyGrain
{
    public async Task<string> BindAsync(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        if (state.State.JobId is { } bound && bound != jobId)
        {
            var job = await GrainFactory.GetGrain<IBulkJobGrain>(bound).GetAsync();
            if (job is not null && job.Status != BulkJobStatus.Failed)
            {
                return bound;
            }
        }

        state.State.JobId = jobId;
        await state.WriteStateAsync();
        return jobId;
    }
}
