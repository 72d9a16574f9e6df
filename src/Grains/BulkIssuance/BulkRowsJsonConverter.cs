using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>
/// The rows of a stored chunk, read by hand: every chunk of a job is read back when the job issues it,
/// and the reflection serializer spends about twice as long on a row (records with constructor
/// parameters take its slowest path; the generated metadata reads them slower still). Written as
/// before, by <see cref="GrainsJsonContext"/>'s generated code, so the stored JSON does not change.
/// </summary>
/// <remarks>
/// It reads what the state serializer's reflection reads: property names in any case, unknown properties
/// skipped, missing ones left at their defaults, <c>null</c> where the writer leaves nothing, numbers
/// also as strings, and skill levels by name in any case or by number. Empty lists are read as one
/// shared empty list, and a row's occupation, institution and regions as the previous row's string
/// when the text is the same (a roster repeats them), which no reader of the rows can tell apart.
/// </remarks>
internal sealed class BulkRowsJsonConverter : JsonConverter<List<BulkRow>>
{
    private const int RowNumber = 0, CitizenId = 1, OccupationCode = 2, Level = 3, InstitutionId = 4, Attributes = 5;
    private const int Name = 0, UnemploymentInsurance = 1, Categories = 2, HouseholdRegion = 3, ResidenceRegion = 4;
    private const int RegionCode = 0, Months = 1;

    private static readonly PropertyNames s_row = new("rowNumber", "citizenId", "occupationCode", "level", "institutionId", "attributes");
    private static readonly PropertyNames s_attributes = new("name", "unemploymentInsurance", "categories", "householdRegion", "residenceRegion");
    private static readonly PropertyNames s_insurance = new("regionCode", "months");
    private static readonly (byte[] Name, SkillLevel Value)[] s_levels =
        [.. Enum.GetValues<SkillLevel>().Select(level => (Encoding.UTF8.GetBytes(level.ToString()), level))];

    /// <inheritdoc />
    public override List<BulkRow> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var rows = new List<BulkRow>();
        var repeated = new RepeatedText();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            rows.Add(reader.TokenType == JsonTokenType.Null ? null! : Row(ref reader, ref repeated));
        }

        return rows;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, List<BulkRow> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, GrainsJsonContext.Default.ListBulkRow);

    private static BulkRow Row(ref Utf8JsonReader reader, ref RepeatedText repeated)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        long rowNumber = 0;
        string? citizenId = null, occupationCode = null, institutionId = null;
        SkillLevel? level = null;
        WorkerAttributes? attributes = null;
        while (NextProperty(ref reader, s_row, out var property))
        {
            switch (property)
            {
                case RowNumber: rowNumber = Int64(ref reader); break;
                case CitizenId: citizenId = reader.GetString(); break;
                case OccupationCode: occupationCode = repeated.Occupation.Read(ref reader); break;
                case Level: level = SkillLevelOf(ref reader); break;
                case InstitutionId: institutionId = repeated.Institution.Read(ref reader); break;
                case Attributes: attributes = reader.TokenType == JsonTokenType.Null ? null : AttributesOf(ref reader, ref repeated); break;
                default: reader.Skip(); break;
            }
        }

        return new BulkRow(rowNumber, citizenId!, occupationCode, level, institutionId, attributes);
    }

    private static WorkerAttributes AttributesOf(ref Utf8JsonReader reader, ref RepeatedText repeated)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string? name = null, householdRegion = null, residenceRegion = null;
        IReadOnlyList<InsuranceRecord> insurance = [];
        IReadOnlyList<string> categories = [];
        while (NextProperty(ref reader, s_attributes, out var property))
        {
            switch (property)
            {
                case Name: name = reader.GetString(); break;
                case UnemploymentInsurance: insurance = ListOf<InsuranceRecord>(ref reader, ref repeated, InsuranceRecordOf); break;
                case Categories: categories = ListOf<string>(ref reader, ref repeated, StringOf); break;
                case HouseholdRegion: householdRegion = repeated.Household.Read(ref reader); break;
                case ResidenceRegion: residenceRegion = repeated.Residence.Read(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new WorkerAttributes
        {
            Name = name,
            UnemploymentInsurance = insurance,
            Categories = categories,
            HouseholdRegion = householdRegion,
            ResidenceRegion = residenceRegion,
        };
    }

    private static InsuranceRecord InsuranceRecordOf(ref Utf8JsonReader reader, ref RepeatedText repeated)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null!;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        string? regionCode = null;
        var months = 0;
        while (NextProperty(ref reader, s_insurance, out var property))
        {
            switch (property)
            {
                case RegionCode: regionCode = repeated.Insurance.Read(ref reader); break;
                case Months: months = Int32(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new InsuranceRecord(regionCode!, months);
    }

    private static string StringOf(ref Utf8JsonReader reader, ref RepeatedText repeated) => reader.GetString()!;

    /// <summary>A list of a worker's attributes: null as written, one shared list when empty.</summary>
    private static IReadOnlyList<T> ListOf<T>(ref Utf8JsonReader reader, ref RepeatedText repeated, ItemReader<T> item)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null!;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            return [];
        }

        var items = new List<T>();
        do
        {
            items.Add(item(ref reader, ref repeated));
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);

        return items;
    }

    private static SkillLevel? SkillLevelOf(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return (SkillLevel)reader.GetInt32();
            case JsonTokenType.String:
                foreach (var (name, value) in s_levels)
                {
                    if (reader.ValueTextEquals(name))
                    {
                        return value;
                    }
                }

                var text = reader.GetString();
                return Enum.TryParse<SkillLevel>(text, ignoreCase: true, out var parsed)
                    ? parsed
                    : throw new JsonException($"'{text}' is not a {nameof(SkillLevel)}.");
            default:
                throw new JsonException($"A {nameof(SkillLevel)} cannot be read from {reader.TokenType}.");
        }
    }

    private static long Int64(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? reader.GetInt64()
        : long.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw new JsonException("The text is not an integer.");

    private static int Int32(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? reader.GetInt32()
        : int.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw new JsonException("The text is not an integer.");

    /// <summary>Moves to the next property's value, and says which of <paramref name="names"/> it is (-1 for none); false at the object's end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader, PropertyNames names, out int property)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            property = -1;
            return false;
        }

        Expect(ref reader, JsonTokenType.PropertyName);
        property = names.IndexOf(ref reader);
        reader.Read();
        return true;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"Expected {expected}, found {reader.TokenType}.");
        }
    }

    private delegate T ItemReader<T>(ref Utf8JsonReader reader, ref RepeatedText repeated);

    /// <summary>The names of an object's properties as written (camel case), matched exactly first and then, as reflection reads them, in any case.</summary>
    private sealed class PropertyNames(params string[] names)
    {
        private readonly byte[][] _utf8 = [.. names.Select(Encoding.UTF8.GetBytes)];

        public int IndexOf(ref Utf8JsonReader reader)
        {
            for (var i = 0; i < _utf8.Length; i++)
            {
                if (reader.ValueTextEquals(_utf8[i]))
                {
                    return i;
                }
            }

            return IndexIgnoringCase(reader.GetString());
        }

        private int IndexIgnoringCase(string? name)
        {
            for (var i = 0; i < names.Length; i++)
            {
                if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>The last string read for each field whose text rows repeat.</summary>
    private struct RepeatedText
    {
        public LastString Occupation;
        public LastString Institution;
        public LastString Household;
        public LastString Residence;
        public LastString Insurance;
    }

    /// <summary>A field's last string, returned again while the text read is the same.</summary>
    private struct LastString
    {
        private string? _last;

        public string? Read(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String && _last is not null && reader.ValueTextEquals(_last))
            {
                return _last;
            }

            return _last = reader.GetString();
        }
    }
}
