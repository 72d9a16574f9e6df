using System.Buffers;
using System.Diagnostics;
using OrleansVoucher.LoadTests.Runner;

namespace OrleansVoucher.LoadTests.Benchmarks.Http;

/// <summary>
/// The measuring core of <c>bench http</c>: a closed model — <c>connections</c> loops, each sending its
/// next request as soon as the previous answer's body has been read — for a warm-up that records
/// nothing, then for a fixed window whose answers go into a latency histogram and a count per status.
/// A request source may run dry (each activation needs its own voucher): the loops then stop and the
/// window ends at the last answer, so the rate is always answers over the time they took.
/// </summary>
public static class HttpLoad
{
    /// <summary>
    /// Runs <paramref name="next"/>'s requests through <paramref name="http"/>. <paramref name="next"/> gets
    /// a number unique to the call (0, 1, 2 … across warm-up and window) and returns null when it has no
    /// more; <paramref name="classify"/> gets each answer's status and body and returns its outcome
    /// ("ok", "sold out", …) or null for an error. <paramref name="onWindow"/> runs at the window's start
    /// and end (e.g. to read CPU counters).
    /// </summary>
    public static async Task<HttpLoadResult> RunAsync(
        HttpClient http,
        int connections,
        TimeSpan warmUp,
        TimeSpan duration,
        Func<long, HttpRequestMessage?> next,
        Func<int, ReadOnlySpan<byte>, string?> classify,
        Action<bool>? onWindow = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(classify);
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        var state = new LoadState(next, classify);
        var warm = warmUp.Ticks > 0;
        if (!warm)
        {
            onWindow?.Invoke(true);
        }

        // Without a warm-up the window opens with the first request.
        var clock = Stopwatch.StartNew();
        state.WindowStart = warm ? long.MaxValue : 0;
        state.WindowEnd = long.MaxValue;
        var loops = new Task[connections];
        for (var i = 0; i < connections; i++)
        {
            loops[i] = Task.Run(() => LoopAsync(http, state, clock, cancellationToken), cancellationToken);
        }

        var all = Task.WhenAll(loops);
        var started = 0L;
        if (warm)
        {
            await Task.WhenAny(all, Task.Delay(warmUp, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            onWindow?.Invoke(true);
            started = clock.Elapsed.Ticks;
            Volatile.Write(ref state.WindowStart, started);
        }

        await Task.WhenAny(all, Task.Delay(duration, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var ended = all.IsCompleted ? Math.Max(Volatile.Read(ref state.LastAnswer), started) : clock.Elapsed.Ticks;
        Volatile.Write(ref state.WindowEnd, ended);
        onWindow?.Invoke(false);
        state.Stop = true;
        await all.ConfigureAwait(false);

        lock (state.Outcomes)
        {
            return new HttpLoadResult(
                TimeSpan.FromTicks(ended - started),
                state.Histogram,
                new Dictionary<string, long>(state.Outcomes, StringComparer.Ordinal),
                new SortedDictionary<int, long>(state.Errors),
                ranDry: all.IsCompleted && state.RanDry,
                state.Issued);
        }
    }

    private static async Task LoopAsync(HttpClient http, LoadState state, Stopwatch clock, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (!state.Stop && !cancellationToken.IsCancellationRequested)
            {
                using var request = state.Next(Interlocked.Increment(ref state.Issued) - 1);
                if (request is null)
                {
                    state.RanDry = true;
                    return;
                }

                var begin = clock.Elapsed.Ticks;
                int status;
                int length;
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                    status = (int)response.StatusCode;
                    length = await ReadBodyAsync(response.Content, buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException)
                {
                    status = 0;
                    length = 0;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    status = 0;
                    length = 0;
                }

                var end = clock.Elapsed.Ticks;
                Interlocked.Exchange(ref state.LastAnswer, end);
                if (begin < Volatile.Read(ref state.WindowStart) || end > Volatile.Read(ref state.WindowEnd))
                {
                    continue;
                }

                var outcome = status == 0 ? null : state.Classify(status, buffer.AsSpan(0, length));
                state.Histogram.Record(TimeSpan.FromTicks(end - begin));
                lock (state.Outcomes)
                {
                    if (outcome is null)
                    {
                        state.Errors[status] = state.Errors.GetValueOrDefault(status) + 1;
                    }
                    else
                    {
                        state.Outcomes[outcome] = state.Outcomes.GetValueOrDefault(outcome) + 1;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the body into <paramref name="buffer"/> (what does not fit is read and dropped); returns the length kept.</summary>
    private static async Task<int> ReadBodyAsync(HttpContent content, byte[] buffer, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var kept = 0;
            while (true)
            {
                var read = kept < buffer.Length
                    ? await stream.ReadAsync(buffer.AsMemory(kept), cancellationToken).ConfigureAwait(false)
                    : await stream.ReadAsync(buffer.AsMemory(buffer.Length / 2), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return kept;
                }

                kept = Math.Min(buffer.Length, kept + read);
            }
        }
    }

    private sealed class LoadState(Func<long, HttpRequestMessage?> next, Func<int, ReadOnlySpan<byte>, string?> classify)
    {
        public readonly Func<long, HttpRequestMessage?> Next = next;
        public readonly Func<int, ReadOnlySpan<byte>, string?> Classify = classify;
        public readonly LatencyHistogram Histogram = new();
        public readonly Dictionary<string, long> Outcomes = new(StringComparer.Ordinal);
        public readonly Dictionary<int, long> Errors = [];
        public long Issued;
        public long WindowStart;
        public long WindowEnd;
        public long LastAnswer;
        public volatile bool Stop;
        public volatile bool RanDry;
    }
}

/// <summary>What one <see cref="HttpLoad.RunAsync"/> window measured.</summary>
public sealed class HttpLoadResult(
    TimeSpan window,
    LatencyHistogram latency,
    IReadOnlyDictionary<string, long> outcomes,
    IReadOnlyDictionary<int, long> errors,
    bool ranDry,
    long issued)
{
    /// <summary>How long the window lasted: the duration asked for, or less when the requests ran out.</summary>
    public TimeSpan Window { get; } = window;

    /// <summary>The latency of every answer in the window (from sending the request to its body's last byte).</summary>
    public LatencyHistogram Latency { get; } = latency;

    /// <summary>Answers counted as expected, by outcome.</summary>
    public IReadOnlyDictionary<string, long> Outcomes { get; } = outcomes;

    /// <summary>Answers counted as errors, by HTTP status (0: no answer — a connection error or a timeout).</summary>
    public IReadOnlyDictionary<int, long> Errors { get; } = errors;

    /// <summary>Whether the request source ran dry before the window's end.</summary>
    public bool RanDry { get; } = ranDry;

    /// <summary>How many requests were taken from the source, warm-up included.</summary>
    public long Issued { get; } = issued;

    /// <summary>Answers in the window, errors included.</summary>
    public long Answers => Latency.Count;

    /// <summary>Errors in the window.</summary>
    public long ErrorCount => Errors.Values.Sum();

    /// <summary>Answers a second.</summary>
    public double Rate => Window.TotalSeconds > 0 ? Answers / Window.TotalSeconds : 0;
}
