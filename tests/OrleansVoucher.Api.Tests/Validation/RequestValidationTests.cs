using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Api.Validation;

namespace OrleansVoucher.Api.Tests.Validation;

/// <summary>The input checks handlers use.</summary>
public sealed class RequestValidationTests
{
    private static readonly DateOnly s_today = new(2026, 1, 1);

    [Theory]
    [InlineData(People.FuzhouWorker, People.FuzhouWorker)]
    [InlineData(" 11010519491231002x ", People.BeijingWorker)]
    [InlineData("350102199001011239", null)]
    [InlineData("35010219900101123", null)]
    [InlineData("350102199013011238", null)]
    [InlineData("350102' OR '1'='1", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Citizen_ids_need_their_check_character_and_a_real_birth_date(string? value, string? expected)
    {
        var validation = new RequestValidation();

        Assert.Equal(expected, validation.CitizenId("citizenId", value, s_today));
        Assert.Equal(expected is null, validation.Errors.ContainsKey("citizenId"));
    }

    [Theory]
    [InlineData("350200", true)]
    [InlineData("35020", false)]
    [InlineData("3502000", false)]
    [InlineData("035020", false)]
    [InlineData("35020a", false)]
    public void Region_codes_are_six_digits(string value, bool valid)
    {
        var validation = new RequestValidation();
        validation.RegionCode("region", value);
        Assert.Equal(valid, !validation.HasErrors);
    }

    [Theory]
    [InlineData("4-10-01-02", true)]
    [InlineData("6-28-01-05-01", true)]
    [InlineData("L-SYB", true)]
    [InlineData("4-1-01-02", false)]
    [InlineData("41001 02", false)]
    [InlineData("<script>", false)]
    public void Occupation_codes_follow_the_national_classification(string value, bool valid)
    {
        var validation = new RequestValidation();
        validation.OccupationCode("occupation", value);
        Assert.Equal(valid, !validation.HasErrors);
    }

    [Theory]
    [InlineData(26.07, 119.3, true)]
    [InlineData(-90, -180, true)]
    [InlineData(90.0001, 119.3, false)]
    [InlineData(26.07, 180.5, false)]
    [InlineData(double.NaN, 0, false)]
    [InlineData(0, double.PositiveInfinity, false)]
    public void Coordinates_are_in_range(double latitude, double longitude, bool valid)
    {
        var validation = new RequestValidation();
        Assert.Equal(valid, validation.Coordinates("position", latitude, longitude));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(50_000, true)]
    [InlineData(-1, false)]
    [InlineData(RequestValidation.MaxFen + 1, false)]
    public void Money_is_non_negative_integer_fen_within_bounds(long fen, bool valid)
    {
        var validation = new RequestValidation();
        validation.Fen("faceValueFen", fen);
        Assert.Equal(valid, !validation.HasErrors);
    }

    [Theory]
    [InlineData("福州市鼓楼区职业培训学校", true)]
    [InlineData("  trimmed  ", true)]
    [InlineData("", false)]
    [InlineData("line\nbreak", false)]
    [InlineData("nul\u0000byte", false)]
    public void Text_is_bounded_and_free_of_control_characters(string value, bool valid)
    {
        var validation = new RequestValidation();
        validation.Text("name", value, maxLength: 50);
        Assert.Equal(valid, !validation.HasErrors);
    }

    [Fact]
    public void Text_with_a_broken_surrogate_pair_is_refused()
    {
        var validation = new RequestValidation();
        Assert.Null(validation.Text("name", "broken " + '\ud800' + " pair"));
        Assert.NotNull(validation.Text("comment", "好评 \U0001F44D"));
        Assert.Single(validation.Errors);
    }

    [Fact]
    public void Text_longer_than_its_limit_is_refused()
    {
        var validation = new RequestValidation();
        Assert.Null(validation.Text("name", new string('a', 51), maxLength: 50));
        Assert.Equal("Must be at most 50 characters.", validation.Errors["name"].Single());
    }
}
