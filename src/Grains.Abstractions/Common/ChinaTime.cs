namespace OrleansVoucher.Grains;

/// <summary>
/// Calendar arithmetic in China Standard Time (UTC+8, no daylight saving), where the programme's days,
/// months and years are counted: a voucher valid "3 months" runs to the end of a local day, and a
/// yearly limit counts the local calendar year.
/// </summary>
public static class ChinaTime
{
    /// <summary>The offset of China Standard Time.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>The local calendar date of an instant.</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Offset).DateTime);

    /// <summary>The local calendar year of an instant.</summary>
    public static int YearOf(DateTimeOffset instant) => instant.ToOffset(Offset).Year;

    /// <summary>The instant a local day ends (the next day's midnight).</summary>
    public static DateTimeOffset EndOf(DateOnly date) => new(date.AddDays(1).ToDateTime(TimeOnly.MinValue), Offset);

    /// <summary>
    /// The end of the local day <paramref name="months"/> calendar months after the day of
    /// <paramref name="start"/>: a voucher claimed on 15 January and valid 3 months is valid through 15 April.
    /// </summary>
    public static DateTimeOffset EndOfDayMonthsAfter(DateTimeOffset start, int months) => EndOf(DateOf(start).AddMonths(months));
}
