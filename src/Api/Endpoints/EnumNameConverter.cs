using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// Reads and writes enumerations by name in camel case, numbers refused, as <see cref="JsonStringEnumConverter"/>
/// does, and refuses a list of names (<c>"seniorTechnician, technician"</c>), which that converter reads
/// as the values or'ed together: another member than either named (<c>advanced</c>), or none.
/// </summary>
internal sealed class EnumNameConverter : JsonConverterFactory
{
    private readonly JsonStringEnumConverter _names = new(JsonNamingPolicy.CamelCase, allowIntegerValues: false);

    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) => _names.CanConvert(typeToConvert);

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OneName<>).MakeGenericType(typeToConvert), _names.CreateConverter(typeToConvert, options))!;

    private sealed class OneName<TEnum>(JsonConverter<TEnum> names) : JsonConverter<TEnum>
        where TEnum : struct, Enum
    {
        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && HasComma(ref reader))
            {
                // Without a message the serializer writes its own, "could not be converted", with the path.
                throw new JsonException();
            }

            return names.Read(ref reader, typeToConvert, options);
        }

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => names.Write(writer, value, options);

        public override TEnum ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            HasComma(ref reader) ? throw new JsonException() : names.ReadAsPropertyName(ref reader, typeToConvert, options);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
            names.WriteAsPropertyName(writer, value, options);

        private static bool HasComma(ref Utf8JsonReader reader) =>
            reader.HasValueSequence || reader.ValueIsEscaped
                ? reader.GetString()!.Contains(',', StringComparison.Ordinal)
                : reader.ValueSpan.Contains((byte)',');
    }
}
