namespace OrleansVoucher.Api.Idempotency;

/// <summary>The persisted state of an <see cref="IdempotencyRecordGrain"/>.</summary>
internal sealed class IdempotencyRecordState
{
    public IdempotencyRecordStatus Status { get; set; }

    /// <summary>SHA-256 of the request's method, path and body.</summary>
    public string Fingerprint { get; set; } = "";

    /// <summary>The lease of the request that runs (or ran) under this key.</summary>
    public Guid Lease { get; set; }

    /// <summary>When an in-flight record is deemed abandoned (its process crashed).</summary>
    public DateTimeOffset LeaseExpiresAt { get; set; }

    /// <summary>When a completed record is forgotten.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public IdempotentResponse? Response { get; set; }
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
