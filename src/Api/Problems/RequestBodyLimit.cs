using Microsoft.AspNetCore.Http.Metadata;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// An endpoint's request body limit, in bytes, set with <see cref="ProblemsExtensions.WithRequestBodyLimit{TBuilder}"/>;
/// endpoints without one get <see cref="RequestLimitsOptions.MaxJsonBodyBytes"/>.
/// </summary>
/// <param name="MaxRequestBodySize">The limit in bytes.</param>
/// <param name="Streamed">
/// Whether the endpoint reads its body as it arrives (a bulk upload of gigabytes): a body without a
/// declared length is then counted as the endpoint reads it, not read ahead into a buffer first.
/// </param>
public sealed record RequestBodyLimit(long? MaxRequestBodySize, bool Streamed = false) : IRequestSizeLimitMetadata;
