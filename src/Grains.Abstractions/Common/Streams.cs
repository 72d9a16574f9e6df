namespace OrleansVoucher.Grains;

/// <summary>
/// The durable event streams. Every change appends its events to the streams below in the same atomic
/// unit as the change, so a stream is a complete record of what happened to its subject.
/// </summary>
public static class Streams
{
    /// <summary>Everything that happens to a campaign and its vouchers; statistics fold it.</summary>
    public static string Campaign(string campaignId) => $"campaign/{campaignId}";

    /// <summary>A worker's lifelong training archive: claims, enrolments, check-ins, results, certificates, settlements.</summary>
    public static string Worker(string citizenId) => $"worker/{citizenId}";

    /// <summary>An institution's listing, sanctions and classes.</summary>
    public static string Institution(string institutionId) => $"institution/{institutionId}";

    /// <summary>A class's enrolments, check-ins and results.</summary>
    public static string Class(string classKey) => $"class/{classKey}";

    /// <summary>A region's policy and catalogue changes.</summary>
    public static string Region(string regionCode) => $"region/{regionCode}";
}
