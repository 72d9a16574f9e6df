using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// Stores states as UTF-8 JSON: readable in the database with <c>convert_from(payload, 'UTF8')</c>, and
/// tolerant of added properties, so a state class can grow without a migration.
/// </summary>
public sealed class JsonGrainStateSerializer : IGrainStateSerializer
{
    /// <summary>The options states are written with.</summary>
    public static readonly JsonSerializerOptions DefaultOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly JsonSerializerOptions _options;

    /// <summary>Creates the serializer with <paramref name="options"/>, or <see cref="DefaultOptions"/>.</summary>
    public JsonGrainStateSerializer(JsonSerializerOptions? options = null) => _options = options ?? DefaultOptions;

    /// <inheritdoc />
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _options);

    /// <inheritdoc />
    public T Deserialize<T>(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize<T>(payload, _options) ?? throw new JsonException($"The stored {typeof(T).Name} is null.");
}
