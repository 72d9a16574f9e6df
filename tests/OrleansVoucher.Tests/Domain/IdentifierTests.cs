using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Citizen ids, voucher codes, region and occupation codes, validated before any grain call (R1, R8).</summary>
public sealed class IdentifierTests
{
    private static readonly DateOnly s_today = new(2026, 3, 2);

    [Theory]
    [InlineData("11010519491231002X", true)]
    [InlineData("11010519491231002x", true)]
    [InlineData("110105194912310021", false)]
    [InlineData("11010519491331002X", false)]
    [InlineData("11010520300101002X", false)]
    [InlineData("01010519491231002X", false)]
    [InlineData("1101051949123100", false)]
    [InlineData("1101051949123100A2X", false)]
    public void R8_a_citizen_id_has_a_real_birth_date_and_an_ISO_7064_MOD_11_2_check_character(string value, bool valid)
    {
        Assert.Equal(valid, CitizenId.TryParse(value, s_today, out var parsed));
        if (valid)
        {
            Assert.Equal(value.ToUpperInvariant(), parsed);
        }
    }

    [Theory]
    [InlineData("20000229", true)]
    [InlineData("19000101", true)]
    [InlineData("20260302", true)]
    [InlineData("19000229", false)]
    [InlineData("20010229", false)]
    [InlineData("19490431", false)]
    [InlineData("19491200", false)]
    [InlineData("19490015", false)]
    [InlineData("18991231", false)]
    [InlineData("20260303", false)]
    public void R8_a_citizen_ids_birth_date_is_a_calendar_day_from_1900_to_today(string birth, bool valid)
    {
        var first17 = "350102" + birth + "123";
        var id = first17 + CitizenId.CheckCharacterOf(first17);

        Assert.Equal(valid, CitizenId.TryParse(id, s_today, out _));
        if (valid)
        {
            Assert.Equal(DateOnly.ParseExact(birth, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), CitizenId.BirthDateOf(id));
        }
    }

    [Fact]
    public void R8_every_single_wrong_digit_of_a_citizen_id_is_caught()
    {
        const string id = "11010519491231002X";
        for (var i = 0; i < 17; i++)
        {
            for (var digit = '0'; digit <= '9'; digit++)
            {
                if (digit != id[i])
                {
                    var typo = id[..i] + digit + id[(i + 1)..];
                    Assert.False(CitizenId.TryParse(typo, s_today, out _) && typo[..17] == id[..17], typo);
                    Assert.NotEqual(CitizenId.CheckCharacterOf(id.AsSpan(0, 17)), CitizenId.CheckCharacterOf(typo.AsSpan(0, 17)));
                }
            }
        }
    }

    [Fact]
    public void R8_a_voucher_code_check_catches_every_single_substitution_and_every_adjacent_swap()
    {
        for (var sample = 0; sample < 300; sample++)
        {
            var code = VoucherCode.New();
            Assert.True(VoucherCode.IsValid(code));
            for (var i = 0; i < code.Length; i++)
            {
                foreach (var c in VoucherCode.Alphabet)
                {
                    if (c != code[i])
                    {
                        Assert.False(VoucherCode.IsValid(code[..i] + c + code[(i + 1)..]), $"{code} with {c} at {i}");
                    }
                }

                if (i + 1 < code.Length && code[i] != code[i + 1])
                {
                    Assert.False(VoucherCode.IsValid(code[..i] + code[i + 1] + code[i] + code[(i + 2)..]), $"{code} swapped at {i}");
                }
            }
        }
    }

    [Fact]
    public void R8_codes_drawn_many_at_once_are_valid_distinct_and_use_every_character_of_the_alphabet()
    {
        var codes = VoucherCode.NewMany(10_000);

        Assert.Equal(10_000, codes.Length);
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.All(codes, c => Assert.True(VoucherCode.IsValid(c), c));
        for (var position = 0; position < VoucherCode.PayloadLength; position++)
        {
            Assert.Equal(VoucherCode.Alphabet.Length, codes.Select(c => c[position]).Distinct().Count());
        }

        Assert.Empty(VoucherCode.NewMany(0));
    }

    [Fact]
    public void R8_voucher_codes_carry_65_random_bits_in_an_unambiguous_alphabet_and_read_as_people_type_them()
    {
        var codes = Enumerable.Range(0, 10_000).Select(_ => VoucherCode.New()).ToList();

        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Equal(14, c.Length));
        Assert.DoesNotContain(codes.SelectMany(c => c), ch => ch is 'I' or 'L' or 'O' or 'U');
        var code = codes[0];
        var typed = VoucherCode.Format(code).ToLowerInvariant().Replace('0', 'o').Replace('1', 'l');
        Assert.True(VoucherCode.TryParse(typed, out var parsed));
        Assert.Equal(code, parsed);
        Assert.False(VoucherCode.TryParse(code + "0", out _));
        Assert.False(VoucherCode.TryParse(code[..^1] + "U", out _));
        Assert.Equal(code[^1], VoucherCode.CheckCharacterOf(code.AsSpan(0, 13)));
    }

    [Theory]
    [InlineData("350000", "350102", true)]
    [InlineData("350100", "350102", true)]
    [InlineData("350102", "350102", true)]
    [InlineData("350100", "350200", false)]
    [InlineData("350102", "350100", false)]
    [InlineData("330000", "350102", false)]
    public void R11_a_region_contains_its_cities_and_districts(string outer, string inner, bool contains) =>
        Assert.Equal(contains, RegionCode.Contains(outer, inner));

    [Theory]
    [InlineData("4-10-01-02", true)]
    [InlineData("6-31-01-03-01", true)]
    [InlineData("L-SYB", true)]
    [InlineData("4-10-1-2", false)]
    [InlineData("9-10-01-02", false)]
    [InlineData("育婴员", false)]
    public void R1_occupation_codes_follow_the_national_classification(string code, bool valid) =>
        Assert.Equal(valid, OccupationCode.IsValid(code));
}
