using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansVoucher.Api.Problems;

/// <summary>Registers and uses the API's error handling: problem documents for every error, strict JSON, body limits.</summary>
public static class ProblemsExtensions
{
    /// <summary>
    /// Adds problem details for every error; JSON bodies that reject unknown fields, duplicate fields,
    /// numbers in strings, nulls for non-nullable members and missing required members; binding
    /// failures raised as exceptions so each gets its own code; and the body size limits of
    /// <see cref="RequestLimitsOptions"/>.
    /// </summary>
    public static WebApplicationBuilder AddVoucherProblems(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Ahead of the framework's writer, which AddProblemDetails adds after it.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemDocumentWriter>());
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDetailsSetup.Customize);
        // After the framework's writer: for requests that accept no JSON.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, AnyAcceptProblemWriter>());
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            var json = options.SerializerOptions;
            json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            json.NumberHandling = JsonNumberHandling.Strict;
            json.AllowDuplicateProperties = false;
            json.RespectNullableAnnotations = true;
            json.RespectRequiredConstructorParameters = true;
            json.MaxDepth = 32;
        });
        builder.Services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Uses the exception handler and the status code pages (both writing problem documents); call
    /// first, so that they wrap everything else.
    /// </summary>
    public static WebApplication UseVoucherProblems(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A client's mistake is logged by the handler at debug, not as an unhandled error.
            SuppressDiagnosticsCallback = context => ProblemExceptionHandler.Classify(context.Exception).Status < 500,
        });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Uses the per-endpoint body limits; call after routing, so the endpoint is known.</summary>
    public static WebApplication UseRequestBodyLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        return app;
    }

    /// <summary>
    /// Sets the endpoints' body limit (for bulk uploads; the default is <see cref="RequestLimitsOptions.MaxJsonBodyBytes"/>).
    /// <paramref name="streamed"/>: the endpoint reads its body as it arrives (see <see cref="RequestBodyLimit.Streamed"/>).
    /// </summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long maxBytes, bool streamed = false)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        builder.WithMetadata(new RequestBodyLimit(maxBytes, streamed));
        return builder;
    }
}
