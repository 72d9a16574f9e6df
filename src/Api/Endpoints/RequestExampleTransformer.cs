using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>Puts an endpoint's <see cref="RequestExample"/> on its JSON request body in the OpenAPI document.</summary>
internal sealed class RequestExampleTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestExample>().LastOrDefault() is { } example
            && operation.RequestBody?.Content is { } content
            && content.TryGetValue("application/json", out var json)
            && json is OpenApiMediaType media)
        {
            media.Example = JsonNode.Parse(example.Json);
        }

        return Task.CompletedTask;
    }
}
