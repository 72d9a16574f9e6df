using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansVoucher.Api.OpenApi;

/// <summary>
/// Lists an enumeration's camel-case names wherever it is used — with null when it is optional, as the
/// items of a list of it — because the engine's own converter (<see cref="Endpoints.EnumNameConverter"/>)
/// is one the schema generator cannot look into, and would describe it as any value.
/// </summary>
internal sealed class EnumSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        var type = context.JsonTypeInfo.Type;
        if (type.IsEnum)
        {
            schema.Enum = Names(type);
        }
        else if (Nullable.GetUnderlyingType(type) is { IsEnum: true } optional)
        {
            schema.Enum = Names(optional);
            schema.Enum.Add(null!);
        }
        else if (schema.Items is null && context.JsonTypeInfo.ElementType is { IsEnum: true } item)
        {
            schema.Items = new OpenApiSchema { Enum = Names(item) };
        }

        return Task.CompletedTask;
    }

    private static List<JsonNode> Names(Type enumeration) =>
        [.. Enum.GetNames(enumeration).Select(name => (JsonNode)JsonValue.Create(JsonNamingPolicy.CamelCase.ConvertName(name)))];
}
