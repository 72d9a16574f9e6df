namespace OrleansVoucher.Api.Idempotency;

/// <summary>Marks an endpoint as taking an <c>Idempotency-Key</c>; added by <see cref="IdempotencyExtensions.WithIdempotency{TBuilder}"/>.</summary>
/// <param name="Required">Whether a request without the header is refused (400).</param>
public sealed record IdempotencyMetadata(bool Required);
