using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using OrleansVoucher.Api.OpenApi;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Grains;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// What the programme's endpoints share: enumeration values written as camel-case strings
/// (<c>faceValue</c>, <c>directed</c>), role requirements, the problem responses they document, request
/// examples in the OpenAPI document, and 404 problems that carry the domain's code.
/// </summary>
public static class EndpointConventions
{
    /// <summary>
    /// Writes and reads enumerations by one name in camel case (numbers, lists of names, other cases and
    /// spaces are refused), reads times only with their offset from UTC, and adds the request
    /// examples of <see cref="WithRequestExample"/> to the OpenAPI document.
    /// </summary>
    public static WebApplicationBuilder AddVoucherEndpoints(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new EnumNameConverter());
            options.SerializerOptions.Converters.Add(new OffsetTimeConverter());
        });
        builder.Services.Configure<OpenApiOptions>(OpenApiExtensions.DocumentName, options => options.AddOperationTransformer<RequestExampleTransformer>());
        builder.Services.AddSingleton<CampaignIssuerCounts>();
        return builder;
    }

    /// <summary>Admits callers of the given roles; which resources they may act on is the handler's check with <see cref="Auth.AccessScope"/>.</summary>
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params string[] roles)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfZero(roles.Length);
        return builder.RequireAuthorization(policy => policy.RequireRole(roles));
    }

    /// <summary>Documents the problem responses the operation may give besides those every operation may (401, 403, 429, 500).</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var status in statuses)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>Shows <paramref name="json"/> as the example request body in the OpenAPI document.</summary>
    public static RouteHandlerBuilder WithRequestExample(this RouteHandlerBuilder builder, [StringSyntax(StringSyntaxAttribute.Json)] string json)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(json);
        return builder.WithMetadata(new RequestExample(json));
    }

    /// <summary>404 with the domain code of what is missing (<c>voucher-not-found</c>, <c>institution-not-listed</c>, …).</summary>
    public static ProblemHttpResult NotFound(RejectionCode code, string detail) =>
        ApiProblems.Create(ProblemCodes.Of(code), StatusCodes.Status404NotFound, detail);
}
