using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;

namespace OrleansVoucher.Api.Metrics;

/// <summary>Registers the API's meter and the Prometheus endpoint.</summary>
public static class MetricsExtensions
{
    /// <summary>The Prometheus endpoint's path.</summary>
    public const string Path = "/metrics";

    /// <summary>Adds <see cref="ApiMetrics"/> and the <see cref="PrometheusCollector"/> (<c>Api:Metrics</c>).</summary>
    public static WebApplicationBuilder AddVoucherMetrics(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMetrics();
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<PrometheusCollector>();
        return builder;
    }

    /// <summary>
    /// Keeps the scrape port to <c>/metrics</c> alone, and records every request on
    /// <see cref="ApiMetrics"/> (by the route that routing, further down, matched); call before
    /// anything that answers requests.
    /// </summary>
    public static WebApplication UseVoucherMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // The collector listens from the start, so counts cover every request.
        app.Services.GetRequiredService<PrometheusCollector>();
        var scrapePort = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.ScrapePort;
        if (scrapePort is { } port)
        {
            app.Use((context, next) =>
            {
                if (context.Connection.LocalPort == port && !context.Request.Path.Equals(Path, StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
        }

        app.UseMiddleware<ApiMetricsMiddleware>();
        return app;
    }

    /// <summary>Maps <c>GET /metrics</c>: the Prometheus text exposition, for operators or the scrape port.</summary>
    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(Path, Scrape)
            .WithName("ScrapeMetrics")
            .WithSummary("Metrics in the Prometheus text format")
            .WithTags("Operations")
            .RequireAuthorization(AuthPolicies.MetricsScrape)
            .ExcludeFromDescription();
        return app;
    }

    private static IResult Scrape(PrometheusCollector collector) =>
        TypedResults.Text(collector.Scrape(), PrometheusCollector.ContentType);
}
