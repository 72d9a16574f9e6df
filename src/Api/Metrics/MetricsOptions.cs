using System.ComponentModel.DataAnnotations;

namespace OrleansVoucher.Api.Metrics;

/// <summary>
/// The Prometheus endpoint, bound from the configuration section <c>Api:Metrics</c>. <c>/metrics</c>
/// needs an operator's token; for a Prometheus server that scrapes without one, set
/// <see cref="ScrapePort"/> and add that port to the engine's listening addresses: on it,
/// <c>/metrics</c> answers without a token and nothing else is served.
/// </summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Api:Metrics";

    /// <summary>A port on which <c>/metrics</c> is open without a token, and the only path served; null for none.</summary>
    [Range(1, 65535)]
    public int? ScrapePort { get; set; }

    /// <summary>The most label combinations kept per instrument; further ones are not recorded.</summary>
    [Range(1, 100_000)]
    public int MaxSeriesPerInstrument { get; set; } = 2000;
}
