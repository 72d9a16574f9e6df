using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// Stores states as UTF-8 JSON: readable in the database with <c>convert_from(payload, 'UTF8')</c>, and
/// tolerant of added properties, so a state class can grow without a migration.
/// </summary>
/// <remarks>
/// A state of a type that one of the generated contexts knows (see <see cref="GrainStateJsonOptions"/>) is
/// written by that context's generated code rather than by reflection: several times cheaper, which
/// matters where every voucher of a bulk job writes states. Such a context must write exactly what
/// <see cref="DefaultOptions"/> writes, so that records read back whichever way they were written; the
/// owner of the context keeps a test that compares the two.
/// </remarks>
public sealed class JsonGrainStateSerializer : IGrainStateSerializer
{
    /// <summary>The options states are written with.</summary>
    public static readonly JsonSerializerOptions DefaultOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly JsonSerializerOptions _options;
    private readonly JsonSerializerContext[] _generated;
    private readonly ConcurrentDictionary<Type, JsonTypeInfo> _typeInfos = new();

    /// <summary>Creates the serializer with <paramref name="options"/>, or <see cref="DefaultOptions"/>, for every type.</summary>
    public JsonGrainStateSerializer(JsonSerializerOptions? options = null)
        : this([], options)
    {
    }

    /// <summary>
    /// Creates the serializer: the types of the <paramref name="generated"/> contexts (the first that
    /// knows a type) by their generated code, any other type with <paramref name="options"/>, or
    /// <see cref="DefaultOptions"/>.
    /// </summary>
    public JsonGrainStateSerializer(IEnumerable<JsonSerializerContext> generated, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        _generated = [.. generated];
        _options = options ?? DefaultOptions;
    }

    /// <inheritdoc />
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    /// <inheritdoc />
    public T Deserialize<T>(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize(payload, TypeInfo<T>()) ?? throw new JsonException($"The stored {typeof(T).Name} is null.");

    private JsonTypeInfo<T> TypeInfo<T>() =>
        (JsonTypeInfo<T>)_typeInfos.GetOrAdd(typeof(T), static (type, self) => self.Resolve(type), this);

    private JsonTypeInfo Resolve(Type type)
    {
        foreach (var context in _generated)
        {
            if (context.GetTypeInfo(type) is { } generated)
            {
                return generated;
            }
        }

        return _options.GetTypeInfo(type);
    }
}
