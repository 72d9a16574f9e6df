using Microsoft.AspNetCore.Http.Metadata;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// An endpoint's request body limit, in bytes, set with <see cref="ProblemsExtensions.WithRequestBodyLimit{TBuilder}"/>;
/// endpoints without one get <see cref="RequestLimitsOptions.MaxJsonBodyBytes"/>.
/// </summary>
/// <param name="MaxRequestBodySize">The limit in bytes.</param>
public sealed record RequestBodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
