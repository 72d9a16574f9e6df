using System.ComponentModel.DataAnnotations;

namespace OrleansVoucher.Api.Bulk;

/// <summary>Limits of bulk uploads, bound from the configuration section <c>Api:Bulk</c>.</summary>
public sealed class BulkUploadOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Api:Bulk";

    /// <summary>The largest upload, in bytes: 8 GiB, room for some 50 million directed rows.</summary>
    [Range(1024, 64L * 1024 * 1024 * 1024)]
    public long MaxUploadBytes { get; set; } = 8L * 1024 * 1024 * 1024;
}
