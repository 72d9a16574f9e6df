using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrleansVoucher.LoadTests.Reporting;

/// <summary>
/// The machine-readable result of a command: one JSON object, written as the last line of stdout so
/// that scripts can take it with <c>tail -n 1</c>. Fields keep the order they were added in.
/// </summary>
internal sealed class JsonSummary
{
    private readonly List<KeyValuePair<string, object?>> _fields = [];

    public JsonSummary Add(string name, object? value)
    {
        _fields.RemoveAll(f => f.Key == name);
        _fields.Add(new(name, value));
        return this;
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in _fields)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public void WriteTo(TextWriter writer) => writer.WriteLine(ToJson());

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(Math.Round(d, 3));
                break;
            case double:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case JsonSummary nested:
                writer.WriteRawValue(nested.ToJson());
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
