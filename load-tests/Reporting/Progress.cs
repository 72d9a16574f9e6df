namespace OrleansVoucher.LoadTests.Reporting;

/// <summary>Progress notes on stderr, so that stdout keeps only the results table and the JSON line.</summary>
internal static class Progress
{
    public static void Note(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
