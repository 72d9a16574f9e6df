using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansVoucher.Api.Idempotency;

namespace OrleansVoucher.Api.OpenApi;

/// <summary>
/// Adds to each operation what the endpoint's metadata implies: the bearer requirement and its 401/403
/// problems unless the endpoint is anonymous, the <c>Idempotency-Key</c> header where the endpoint
/// takes one, and the 429 and 500 problems any operation may give.
/// </summary>
internal sealed class OperationConventionsTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(DocumentInfoTransformer.BearerScheme, context.Document)] = [],
            });
            AddProblem(operation, "401", "No token, or an invalid one (authentication-required, invalid-token).");
            AddProblem(operation, "403", "The token's role or scope does not cover this (forbidden, out-of-scope).");
        }

        if (metadata.OfType<IdempotencyMetadata>().FirstOrDefault() is { } idempotency)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKeys.HeaderName,
                In = ParameterLocation.Header,
                Required = idempotency.Required,
                Description = "Makes the request safe to retry: 1–255 printable ASCII characters, unique per request; remembered for 24 hours.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKeys.MaxLength },
            });
        }

        AddProblem(operation, "429", "Too many requests (rate-limited); retry after Retry-After seconds.");
        AddProblem(operation, "500", "The engine failed (internal-error); quote the traceId.");
        return Task.CompletedTask;
    }

    private static void AddProblem(OpenApiOperation operation, string status, string description)
    {
        operation.Responses ??= [];
        if (operation.Responses.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType() },
        };
    }
}
