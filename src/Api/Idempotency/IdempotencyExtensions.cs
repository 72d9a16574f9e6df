using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace OrleansVoucher.Api.Idempotency;

/// <summary>Registers, uses and applies idempotency keys.</summary>
public static class IdempotencyExtensions
{
    /// <summary>Adds the idempotency policy (<c>Api:Idempotency</c>). The record grain is hosted with the API assembly's grains.</summary>
    public static WebApplicationBuilder AddIdempotency(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IdempotencyOptions>, IdempotencyOptionsValidator>();
        return builder;
    }

    /// <summary>Uses idempotency keys on the endpoints marked for them; call after authorization and rate limiting.</summary>
    public static WebApplication UseIdempotency(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }

    /// <summary>
    /// Makes state-changing endpoints take an <c>Idempotency-Key</c> header: a retry with the same key
    /// and request gets the first response again, without running twice. With
    /// <paramref name="required"/>, a request without a key is refused.
    /// </summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder, bool required = false)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithMetadata(
            new IdempotencyMetadata(required),
            ProblemResponse(StatusCodes.Status400BadRequest),
            ProblemResponse(StatusCodes.Status409Conflict),
            ProblemResponse(StatusCodes.Status422UnprocessableEntity));
        return builder;
    }

    internal static IProducesResponseTypeMetadata ProblemResponse(int status) =>
        new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]);
}
