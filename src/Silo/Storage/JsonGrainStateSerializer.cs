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
/// written by that context's generated code rather than by reflection: about half the time, which
/// matters where every voucher of a bulk job writes states. Such a context must write exactly what
/// <see cref="DefaultOptions"/> writes; the owner of the context keeps a test that compares the two.
/// States are read by reflection whichever way they were written: the generated metadata reads no
/// faster (it measured 10–20% slower, with more allocated).
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
    private readonly ConcurrentDictionary<Type, JsonTypeInfo> _writers = new();

    /// <summary>Creates the serializer with <paramref name="options"/>, or <see cref="DefaultOptions"/>, for every type.</summary>
    public JsonGrainStateSerializer(JsonSerializerOptions? options = null)
        : this([], options)
    {
    }

    /// <summary>
    /// Creates the serializer: the types of the <paramref name="generated"/> contexts (the first that
    /// knows a type) written by their generated code, any other type, and every read, with
    /// <paramref name="options"/>, or <see cref="DefaultOptions"/>.
    /// </summary>
    public JsonGrainStateSerializer(IEnumerable<JsonSerializerContext> generated, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        _generated = [.. generated];
        _options = options ?? DefaultOptions;

        // Type metadata is asked of the options directly, which finds none in options that no call has
        // locked yet (their reflection resolver is set when they are first used or locked).
        _options.MakeReadOnly(populateMissingResolver: true);
    }

    /// <inheritdoc />
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Writer<T>());

    /// <inheritdoc />
    public T Deserialize<T>(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize<T>(payload, _options) ?? throw new JsonException($"The stored {typeof(T).Name} is null.");

    private JsonTypeInfo<T> Writer<T>() =>
        (JsonTypeInfo<T>)_writers.GetOrAdd(typeof(T), static (type, self) => self.WriterOf(type), this);

    private JsonTypeInfo WriterOf(Type type)
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
