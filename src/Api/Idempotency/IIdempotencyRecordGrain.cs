using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Idempotency;

/// <summary>
/// The durable record of one idempotency key of one caller, keyed by <see cref="IdempotencyKeys.GrainKey"/>.
/// A request first begins the record (taking an in-flight lease), runs, then completes it with its
/// response, which later retries get back. Because the record is a grain with version-checked
/// storage, engine processes sharing a database agree on it: only one of them runs the request.
/// </summary>
public interface IIdempotencyRecordGrain : IGrainWithStringKey
{
    /// <summary>
    /// Decides what a request with this key and <paramref name="fingerprint"/> does: proceed under a new
    /// lease (no live record, an expired one, or an in-flight one whose lease ran out), replay the
    /// stored response, wait because the same request is in flight, or fail because the key was used
    /// for a different request.
    /// </summary>
    Task<IdempotencyDecision> BeginAsync(string fingerprint);

    /// <summary>Stores the response of the request holding <paramref name="lease"/>; false when the lease was lost meanwhile.</summary>
    Task<bool> CompleteAsync(Guid lease, IdempotentResponse response);

    /// <summary>Forgets the in-flight record of <paramref name="lease"/>, so a retry runs the request afresh.</summary>
    Task ReleaseAsync(Guid lease);
}
