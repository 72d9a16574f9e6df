using System.Globalization;

namespace OrleansVoucher.Silo.Transactions;

/// <summary>Identifies one atomic write that spans several grains' states.</summary>
/// <param name="Value">An opaque, unique value.</param>
public readonly record struct TransactionId(string Value)
{
    /// <summary>
    /// Sixteen random hexadecimal digits drawn once per process, so identifiers of different processes
    /// differ; a counter numbers the transactions within it. A fresh <see cref="Guid"/> per transaction
    /// costs a system call for random bytes on Linux, and every verification starts a transaction.
    /// </summary>
    private static readonly string s_process = Guid.NewGuid().ToString("N")[..16];

    private static long s_last;

    /// <summary>A fresh identifier: 32 hexadecimal digits, never repeated within the process.</summary>
    public static TransactionId New() => new(string.Create(32, Interlocked.Increment(ref s_last), static (digits, number) =>
    {
        s_process.CopyTo(digits);
        number.TryFormat(digits[16..], out _, "x16", CultureInfo.InvariantCulture);
    }));

    /// <inheritdoc />
    public override string ToString() => Value;
}
