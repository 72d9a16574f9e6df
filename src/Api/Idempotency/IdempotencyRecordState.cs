using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Api.Idempotency;

/// <summary>
/// The persisted state of an <see cref="IdempotencyRecordGrain"/>. It declares its expiry, so the silo
/// deletes a stored record once it has been expired for the sweep's grace period.
/// </summary>
internal sealed class IdempotencyRecordState : IExpiringState
{
    public IdempotencyRecordStatus Status { get; set; }

    /// <summary>SHA-256 of the request's method, path and body.</summary>
    public string Fingerprint { get; set; } = "";

    /// <summary>The lease of the request that runs (or ran) under this key.</summary>
    public Guid Lease { get; set; }

    /// <summary>When an in-flight record is deemed abandoned (its process crashed).</summary>
    public DateTimeOffset LeaseExpiresAt { get; set; }

    /// <summary>When the record is forgotten: its retention end (from completion once completed).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public IdempotentResponse? Response { get; set; }

    /// <summary>
    /// When the stored record may be deleted. A completed record: at the end of its retention, when the
    /// grain stops replaying it anyway. A record in flight: not before its lease ends, since until then it
    /// is what keeps a second request with the key from running alongside the first; and not before its
    /// retention ends either, so that a request completing late (or a retry of one abandoned) finds the
    /// same record whichever bound the settings make later. The grain rewrites (or re-reads) an expired
    /// record on the first call that finds it so, which is what makes deleting it safe.
    /// </summary>
    DateTimeOffset? IExpiringState.ExpiresAt => Status == IdempotencyRecordStatus.InFlight && LeaseExpiresAt > ExpiresAt ? LeaseExpiresAt : ExpiresAt;
}

/// <summary>Where a record stands.</summary>
internal enum IdempotencyRecordStatus
{
    /// <summary>No record.</summary>
    None,

    /// <summary>A request holds the lease and is running.</summary>
    InFlight,

    /// <summary>The request completed; its response is stored.</summary>
    Completed,
}
