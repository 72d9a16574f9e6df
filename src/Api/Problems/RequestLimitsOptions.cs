using System.ComponentModel.DataAnnotations;

namespace OrleansVoucher.Api.Problems;

/// <summary>Request size limits, bound from the configuration section <c>Api:Limits</c>.</summary>
public sealed class RequestLimitsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Api:Limits";

    /// <summary>The body limit of endpoints that do not set their own: 64 KiB.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxJsonBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The body limit for bulk uploads (rosters, catalogues), which set it with <c>WithRequestBodyLimit</c>: 8 MiB.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBulkBodyBytes { get; set; } = 8 * 1024 * 1024;
}
