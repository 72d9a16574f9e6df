using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansVoucher.Api.Admin;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Bulk;
using OrleansVoucher.Api.Endpoints;
using OrleansVoucher.Api.Health;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Logging;
using OrleansVoucher.Api.Me;
using OrleansVoucher.Api.Metrics;
using OrleansVoucher.Api.OpenApi;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.RateLimiting;
using OrleansVoucher.Grains;
using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.Api.Hosting;

/// <summary>Wires the engine: the silo hosted in-process with the voucher grains, and the HTTP surface.</summary>
public static class EngineHostingExtensions
{
    /// <summary>The prefix of the programme's resources.</summary>
    public const string ApiPrefix = "/api/v1";

    /// <summary>
    /// Adds the silo (with the store chosen by configuration, SQLite by default), the voucher grains and
    /// the API's own grains, redacted logging, problem details, authentication, rate limiting,
    /// idempotency, OpenAPI, metrics and health checks.
    /// </summary>
    public static WebApplicationBuilder AddVoucherEngine(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSilo(silo => silo
            .AddVoucherGrains()
            .AddGrains(typeof(EngineHostingExtensions).Assembly)
            .UseStorageFromConfiguration(builder.Configuration));
        builder.AddRedactedLogging()
            .AddVoucherProblems()
            .AddVoucherAuth()
            .AddVoucherRateLimiting()
            .AddIdempotency()
            .AddVoucherOpenApi()
            .AddVoucherMetrics()
            .AddBulkIssuance()
            .AddVoucherEndpoints();
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        return builder;
    }

    /// <summary>Builds the request pipeline and maps the engine's endpoints.</summary>
    public static WebApplication MapVoucherEngine(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Outermost, so that no body of a HEAD answer is written, not even a problem document.
        app.UseMiddleware<HeadRequestMiddleware>();
        app.UseVoucherProblems();
        app.UseVoucherMetrics();
        app.UseVoucherApiDocs();
        app.UseRouting();
        app.Use(HeadRequestMiddleware.RestoreMethod);
        app.UseVoucherAuth();
        app.UseVoucherRateLimiting();
        app.UseRequestBodyLimits();
        app.Use(QuotedCharset.UnquoteAsync);
        app.UseIdempotency();

        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
        app.MapMetricsEndpoint();
        app.MapVoucherOpenApi();

        var api = app.MapGroup(ApiPrefix).RequireRateLimiting(RateLimitPolicies.PerCaller);
        api.MapMeEndpoints();
        api.MapAdminEndpoints();
        api.MapBulkEndpoints();
        api.MapCatalogueEndpoints();
        api.MapRegionEndpoints();
        api.MapInstitutionEndpoints();
        api.MapCampaignEndpoints();
        api.MapClaimEndpoints();
        api.MapRosterEndpoints();
        api.MapVoucherEndpoints();
        api.MapVerificationEndpoints();
        api.MapClassEndpoints();
        api.MapCheckInEndpoints();
        api.MapResultEndpoints();
        api.MapSettlementEndpoints();
        api.MapWorkerEndpoints();
        api.MapStatisticsEndpoints();
        return app;
    }

    /// <summary>Passes every log entry through <see cref="Redact"/>, whichever provider writes it.</summary>
    public static WebApplicationBuilder AddRedactedLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(services =>
            new RedactingLoggerFactory(ActivatorUtilities.CreateInstance<LoggerFactory>(services))));
        return builder;
    }
}
