using System.Text;
using System.Text.Json;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// A stored chunk's rows are read by hand (<see cref="BulkRowsJsonConverter"/>), and were read by
/// reflection before: a chunk stored by the release before, of a job still in flight, must read back as
/// it did. The reference is <see cref="ReleasedChunkRows"/>, the state's shape as that release wrote and
/// read it (by reflection, with the state serializer's options); both reads are written back by
/// reflection and compared byte for byte, and by value.
/// </summary>
public sealed class ChunkRowsJsonTests
{
    private static readonly JsonGrainStateSerializer s_serializer = new([GrainsJsonContext.Default]);

    [Fact]
    public void A_chunk_is_written_as_the_release_before_wrote_it()
    {
        var rows = Roster(500);
        var released = JsonSerializer.SerializeToUtf8Bytes(new ReleasedChunkRows { Rows = rows, Rejections = Rejections(), Stored = true }, JsonGrainStateSerializer.DefaultOptions);

        var written = s_serializer.Serialize(new BulkChunkRowsState { Rows = rows, Rejections = Rejections(), Stored = true });

        Assert.Equal(Encoding.UTF8.GetString(released), Encoding.UTF8.GetString(written));
    }

    [Fact]
    public void A_chunk_written_by_the_release_before_reads_back_as_that_release_read_it()
    {
        var released = JsonSerializer.SerializeToUtf8Bytes(new ReleasedChunkRows { Rows = Roster(500), Rejections = Rejections(), Stored = true }, JsonGrainStateSerializer.DefaultOptions);

        AssertReadAsReleased(released);
    }

    [Fact]
    public void A_row_with_every_member_set_reads_back_as_reflection_read_it()
    {
        // A member added to a row or to the attributes, and not to the converter, is lost here.
        var row = (BulkRow)Populated.Of(typeof(BulkRow));
        var released = JsonSerializer.SerializeToUtf8Bytes(new ReleasedChunkRows { Rows = [row, row with { Attributes = null }], Stored = true }, JsonGrainStateSerializer.DefaultOptions);

        AssertReadAsReleased(released);
    }

    [Theory]
    [InlineData("""[{"RowNumber":1,"CITIZENID":"110101199003070011","occupationcode":"4-10-01-02","Level":"elementary","Attributes":{"NAME":"n","Categories":["a"],"householdregion":"350102"}}]""")]
    [InlineData("""[{"row\u004eumber":"42","citizenId":"a\u00e9\"b","level":3,"attributes":{"unemploymentInsurance":[{"regionCode":"350102","months":"7"},null,{"REGIONCODE":"350100"}],"categories":["x",null]}}]""")]
    [InlineData("""[{"rowNumber":2,"extra":{"nested":[1,{"a":null}]},"attributes":{"more":[[]],"name":null,"categories":null,"unemploymentInsurance":null},"level":null},null]""")]
    [InlineData("""[{"rowNumber":3,"attributes":{}},{"rowNumber":4,"attributes":null,"institutionId":"inst-1"},{}]""")]
    [InlineData("""[{"rowNumber":5,"rowNumber":6,"citizenId":"first","citizenId":"second","level":"Advanced","level":"Elementary"}]""")]
    [InlineData("""[]""")]
    public void Rows_the_writer_never_writes_read_as_reflection_read_them(string rows)
    {
        AssertReadAsReleased(Encoding.UTF8.GetBytes($$"""{"rows":{{rows}},"rejections":[],"stored":true}"""));
    }

    [Theory]
    [InlineData("""[{"rowNumber":null}]""")]
    [InlineData("""[{"rowNumber":1.5}]""")]
    [InlineData("""[{"level":"Nonsense"}]""")]
    [InlineData("""[{"level":true}]""")]
    [InlineData("""[{"citizenId":7}]""")]
    [InlineData("""[{"attributes":"text"}]""")]
    [InlineData("""[{"attributes":{"categories":{}}}]""")]
    [InlineData("""[{"attributes":{"unemploymentInsurance":[{"months":"many"}]}}]""")]
    [InlineData("""[{"attributes":{"unemploymentInsurance":[{"months":3000000000}]}}]""")]
    [InlineData("""[{"rowNumber":"1e3"}]""")]
    [InlineData("""[1]""")]
    [InlineData("""{}""")]
    public void Rows_reflection_refused_are_refused(string rows)
    {
        var payload = Encoding.UTF8.GetBytes($$"""{"rows":{{rows}}}""");

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<ReleasedChunkRows>(payload, JsonGrainStateSerializer.DefaultOptions));
        Assert.ThrowsAny<JsonException>(() => s_serializer.Deserialize<BulkChunkRowsState>(payload));
    }

    private static void AssertReadAsReleased(byte[] payload)
    {
        var expected = JsonSerializer.Deserialize<ReleasedChunkRows>(payload, JsonGrainStateSerializer.DefaultOptions)!;

        var read = s_serializer.Deserialize<BulkChunkRowsState>(payload);

        Assert.Equal(Written(expected.Rows), Written(read.Rows));
        Assert.Equal(expected.Rows.Count, read.Rows.Count);
        for (var i = 0; i < expected.Rows.Count; i++)
        {
            AssertSameRow(expected.Rows[i], read.Rows[i]);
        }

        Assert.Equal(expected.Rejections, read.Rejections);
        Assert.Equal(expected.Stored, read.Stored);
    }

    private static void AssertSameRow(BulkRow? expected, BulkRow? actual)
    {
        if (expected is null || actual is null)
        {
            Assert.Equal(expected is null, actual is null);
            return;
        }

        Assert.Equal(expected with { Attributes = null }, actual with { Attributes = null });
        Assert.Equal(expected.Attributes is null, actual.Attributes is null);
        if (expected.Attributes is { } attributes)
        {
            Assert.Equal(attributes.Name, actual.Attributes!.Name);
            Assert.Equal(attributes.HouseholdRegion, actual.Attributes.HouseholdRegion);
            Assert.Equal(attributes.ResidenceRegion, actual.Attributes.ResidenceRegion);
            Assert.Equal(attributes.Categories, actual.Attributes.Categories);
            Assert.Equal(attributes.UnemploymentInsurance, actual.Attributes.UnemploymentInsurance);
        }
    }

    /// <summary>The rows written back by reflection, with the state serializer's options.</summary>
    private static string Written(List<BulkRow> rows) => JsonSerializer.Serialize(rows, JsonGrainStateSerializer.DefaultOptions);

    /// <summary>
    /// Rows as uploads make them: directed rows (occupation, level, institution, a name) and rows of a
    /// general campaign's population (categories, regions, insurance), names that are not ASCII and text
    /// the writer escapes, rows without attributes, levels of every value and none.
    /// </summary>
    private static List<BulkRow> Roster(int count)
    {
        var levels = Enum.GetValues<SkillLevel>();
        var rows = new List<BulkRow>(count);
        for (var i = 0; i < count; i++)
        {
            var citizen = $"3501021990{i % 12 + 1:D2}{i % 28 + 1:D2}{i % 1000:D3}X";
            rows.Add((i % 4) switch
            {
                0 => new BulkRow(i + 1, citizen, "4-10-01-02", SkillLevel.Elementary, null, new WorkerAttributes { Name = $"Worker {i}" }),
                1 => new BulkRow(i + 1, citizen, "4-01-02-01", levels[i % levels.Length], $"inst-{i % 3}", null),
                2 => new BulkRow(i + 1, citizen, null, null, null, new WorkerAttributes
                {
                    Name = $"张三{i} <\"&'>\u00e9",
                    Categories = i % 8 == 2 ? [] : ["RegisteredUnemployed", "LowIncomeRural"],
                    HouseholdRegion = "350102",
                    ResidenceRegion = i % 8 == 2 ? null : "350103",
                    UnemploymentInsurance = [new InsuranceRecord("350102", i % 36), new InsuranceRecord("350100", 30)],
                }),
                _ => new BulkRow(long.MaxValue - i, citizen, "4-10-01-02", null, "inst-1", new WorkerAttributes { Categories = ["CivilServant"] }),
            });
        }

        return rows;
    }

    private static List<BulkRejection> Rejections() =>
        [new BulkRejection(3, "3501021990", BulkRejectionCodes.MalformedRow, "The row has no citizen id."), new BulkRejection(9, null, BulkRejectionCodes.DuplicateRow, "twice")];

    /// <summary>The rows' state as the release before stored it: the same members, read and written by reflection.</summary>
    private sealed class ReleasedChunkRows
    {
        public List<BulkRow> Rows { get; set; } = [];

        public List<BulkRejection> Rejections { get; set; } = [];

        public bool Stored { get; set; }
    }
}
