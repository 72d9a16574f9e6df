using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// Reads a time only with its offset from UTC (<c>2026-01-01T00:00:00+08:00</c>,
/// <c>2026-01-01T00:00:00Z</c>), as ISO 8601 writes it. The serializer alone would also read a date
/// (<c>2026-01-01</c>) or a time without an offset (<c>2026-01-01T00:00:00</c>) as a time in the
/// engine's own time zone — the same request meaning another instant on another server. Such a value
/// is refused as a value of the wrong type. Times are written as the serializer writes them, always
/// with their offset.
/// </summary>
internal sealed class OffsetTimeConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        // Without a message the serializer writes its own, "could not be converted", with the path.
        reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value) && HasOffset(reader.GetString()!)
            ? value
            : throw new JsonException();

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    // After the date and its 'T', only an offset has a letter Z or a sign.
    private static bool HasOffset(string text)
    {
        var time = text.IndexOf('T', StringComparison.Ordinal);
        return time > 0 && text.AsSpan(time).IndexOfAny('Z', '+', '-') > 0;
    }
}
