using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// Reads and writes enumerations by name in camel case, numbers refused, and reads exactly the names it
/// writes: <see cref="JsonStringEnumConverter"/> alone would also read other cases (<c>"FaceValue"</c>,
/// <c>"FACEVALUE"</c>), names with spaces around them (<c>" faceValue"</c>), and a list of names
/// (<c>"seniorTechnician, technician"</c>) as the values or'ed together: another member than either
/// named (<c>advanced</c>), or none. Anything but one name as written is refused as a value of the
/// wrong type.
/// </summary>
internal sealed class EnumNameConverter : JsonConverterFactory
{
    private readonly JsonStringEnumConverter _names = new(JsonNamingPolicy.CamelCase, allowIntegerValues: false);

    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) => _names.CanConvert(typeToConvert);

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OneName<>).MakeGenericType(typeToConvert), _names.CreateConverter(typeToConvert, options), options)!;

    private sealed class OneName<TEnum> : JsonConverter<TEnum>
        where TEnum : struct, Enum
    {
        private readonly JsonConverter<TEnum> _names;

        // The names as written, so that reading accepts those and nothing else.
        private readonly FrozenDictionary<string, TEnum> _values;

        public OneName(JsonConverter<TEnum> names, JsonSerializerOptions options)
        {
            _names = names;
            _values = Enum.GetValues<TEnum>().Distinct().ToFrozenDictionary(value => NameOf(names, value, options), StringComparer.Ordinal);
        }

        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? ValueOf(ref reader) : _names.Read(ref reader, typeToConvert, options);

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => _names.Write(writer, value, options);

        public override TEnum ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ValueOf(ref reader);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
            _names.WriteAsPropertyName(writer, value, options);

        // Without a message the serializer writes its own, "could not be converted", with the path.
        private TEnum ValueOf(ref Utf8JsonReader reader) =>
            _values.TryGetValue(reader.GetString()!, out var value) ? value : throw new JsonException();

        private static string NameOf(JsonConverter<TEnum> names, TEnum value, JsonSerializerOptions options)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                names.Write(writer, value, options);
            }

            return JsonSerializer.Deserialize<string>(Encoding.UTF8.GetString(buffer.ToArray()))!;
        }
    }
}
