namespace OrleansVoucher.Api.Idempotency;

/// <summary>What a request carrying an idempotency key does.</summary>
public enum IdempotencyOutcome
{
    /// <summary>Run the request; it holds the record's lease.</summary>
    Proceed,

    /// <summary>The same request completed before: send its response again.</summary>
    Replay,

    /// <summary>The same request is still running: 409, retry later.</summary>
    InFlight,

    /// <summary>The key was used for a different request: 422.</summary>
    Mismatch,
}

/// <summary>The answer of <see cref="IIdempotencyRecordGrain.BeginAsync"/>.</summary>
/// <param name="Outcome">What to do.</param>
/// <param name="Lease">The lease of a <see cref="IdempotencyOutcome.Proceed"/>.</param>
/// <param name="Response">The stored response of a <see cref="IdempotencyOutcome.Replay"/>.</param>
/// <param name="RetryAfter">For <see cref="IdempotencyOutcome.InFlight"/>, when the lease runs out at the latest.</param>
public sealed record IdempotencyDecision(IdempotencyOutcome Outcome, Guid Lease = default, IdempotentResponse? Response = null, TimeSpan? RetryAfter = null);

/// <summary>A response as stored for replay.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="ContentType">The content type, if any.</param>
/// <param name="Body">The body; empty when <paramref name="BodyOmitted"/>.</param>
/// <param name="Headers">The replayed headers (<c>Location</c>, <c>ETag</c>, …).</param>
/// <param name="BodyOmitted">The body was larger than the engine keeps, so a replay has status and headers only.</param>
public sealed record IdempotentResponse(int StatusCode, string? ContentType, byte[] Body, Dictionary<string, string[]> Headers, bool BodyOmitted = false);
