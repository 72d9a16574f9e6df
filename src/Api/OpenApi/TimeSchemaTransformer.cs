using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansVoucher.Api.OpenApi;

/// <summary>
/// Describes a time as a string — with null when it is optional — because the engine's own converter
/// (<see cref="Endpoints.OffsetTimeConverter"/>) is one the schema generator cannot look into, and
/// would describe it as any value in the <c>date-time</c> format.
/// </summary>
internal sealed class TimeSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(DateTimeOffset))
        {
            schema.Type = JsonSchemaType.String;
            schema.Format = "date-time";
        }
        else if (type == typeof(DateTimeOffset?))
        {
            schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }

        return Task.CompletedTask;
    }
}
