using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using OrleansVoucher.LoadTests.Benchmarks.BulkIssue;
using OrleansVoucher.LoadTests.Benchmarks.Runtime;
using OrleansVoucher.LoadTests.Cli;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Reporting;
using OrleansVoucher.Testing;

namespace OrleansVoucher.LoadTests.Benchmarks;

/// <summary>
/// <c>bench bulk-issue</c>: N directed vouchers issued end to end — a roster of N distinct workers
/// uploaded as CSV to the engine, stored, issued under the grains' rules and durable in PostgreSQL —
/// against a raw <c>COPY</c> of N voucher-shaped rows into the same server in the same run, with the
/// engine's peak resident memory.
/// </summary>
internal static class BulkIssueBenchmark
{
    public const string Name = "bulk-issue";

    public const string Description = "N directed vouchers uploaded and issued end to end vs a raw COPY of N rows; peak engine RSS";

    public static readonly IReadOnlyList<OptionDefinition> Options =
    [
        new("count", "N", "vouchers to issue (default 100000)"),
        new("issuers", "N", "the campaign's issuer count (default 16)"),
        new("chunk-rows", "N", "rows per stored chunk of the upload (default 8000)"),
        new("max-activations", "N", "the engine's Silo:MaxActivations (default 300000)"),
        new("engine", "key=value,…", "further engine settings, e.g. BulkIssuance:ChunksInFlight=4 (default none)"),
        new("engine-env", "NAME=value,…", "environment of the engine process, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 (default none)"),
        new("pg", "connection string", "PostgreSQL to use (its database's schema orleans_voucher is dropped); default: a throwaway server"),
        new("url", "address", "an engine already running on --pg's database, instead of starting one (needs --pg)"),
    ];

    private const double RatioTarget = 0.5;
    private const string Schema = "orleans_voucher";

    public static async Task<int> RunAsync(CommandOptions options, CancellationToken cancellationToken)
    {
        var count = options.GetInt32("count", 100_000, 1);
        var issuers = options.GetInt32("issuers", 16, 1);
        var chunkRows = options.GetInt32("chunk-rows", 8000, 1);
        var maxActivations = options.GetInt32("max-activations", 300_000, 0);
        var pg = options.GetString("pg");
        var url = options.GetString("url");
        var engineSettings = Pairs(options, "engine");
        var engineEnvironment = Pairs(options, "engine-env");

        if (url is not null && pg is null)
        {
            throw new OptionException("--url needs --pg: the benchmark sets up the campaign in the engine's database and copies into it.");
        }

        if (pg is not null)
        {
            return await RunOnAsync(pg, server: null, null).ConfigureAwait(false);
        }

        Progress.Note("bulk: starting a throwaway PostgreSQL server");
        var serverOptions = new PostgresServerOptions { SharedBuffers = "512MB" };
        serverOptions.Settings["max_wal_size"] = "'8GB'";
        var throwaway = new PostgresServer(serverOptions);
        await using (throwaway.ConfigureAwait(false))
        {
            await throwaway.StartAsync(cancellationToken).ConfigureAwait(false);
            var connectionString = await throwaway.CreateDatabaseAsync("bench_bulk", cancellationToken).ConfigureAwait(false);
            return await RunOnAsync(connectionString, ServerProcessorTime.ForDataDirectory(throwaway.DataDirectory), "throwaway server").ConfigureAwait(false);
        }

        async Task<int> RunOnAsync(string connectionString, ServerProcessorTime? server, string? origin)
        {
            var description = await WriteThroughput.DescribeServerAsync(connectionString, cancellationToken).ConfigureAwait(false);
            Progress.Note($"bulk: {description}");
            await BenchDatabase.ExecuteAsync(connectionString, $"DROP SCHEMA IF EXISTS {Schema} CASCADE", cancellationToken).ConfigureAwait(false);
            var campaignId = "bulk-bench-" + count.ToString(CultureInfo.InvariantCulture);
            Progress.Note($"bulk: setting up a directed campaign of {count:N0} with {issuers} issuers");
            await BulkIssueSetup.CreateAsync(connectionString, campaignId, count, issuers, cancellationToken).ConfigureAwait(false);
            await BenchDatabase.ExecuteAsync(connectionString, "CHECKPOINT", cancellationToken).ConfigureAwait(false);

            var run = await IssueAsync(connectionString, campaignId, count, chunkRows, maxActivations, engineSettings, engineEnvironment, url, server, cancellationToken).ConfigureAwait(false);
            Progress.Note($"bulk: raw COPY of {count:N0} voucher-shaped rows");
            var copyRate = await RawCopy.MeasureAsync(connectionString, Schema, count, cancellationToken).ConfigureAwait(false);
            var ratio = run.VouchersPerSecond / copyRate;
            Report(run, copyRate, ratio, count, issuers, chunkRows, maxActivations, engineEnvironment, url is null, description + (origin is null ? " (--pg)" : $" ({origin})"));
            return 0;
        }
    }

    private static async Task<IssueRun> IssueAsync(string connectionString, string campaignId, int count, int chunkRows, int maxActivations, Dictionary<string, string> engineSettings, Dictionary<string, string> engineEnvironment, string? url, ServerProcessorTime? server, CancellationToken cancellationToken)
    {
        EngineChild? engine = null;
        if (url is null)
        {
            Progress.Note("bulk: starting the engine");
            var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["Silo:Storage:Provider"] = "PostgreSql",
                ["ConnectionStrings:PostgreSql"] = connectionString,
                ["Silo:MaxActivations"] = maxActivations.ToString(CultureInfo.InvariantCulture),
                ["BulkIssuance:ChunkRows"] = chunkRows.ToString(CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in engineSettings)
            {
                settings[key] = value;
            }

            engine = await EngineChild.StartAsync(settings, engineEnvironment, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var address = engine?.Address ?? new Uri(url!);
            var token = EngineToken.ForAuthority(EngineDirectory(), "bench-authority", BulkIssueSetup.Province, TimeSpan.FromHours(24));
            using var client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);

            var serverBefore = server?.Read();
            var engineBefore = engine?.ProcessorTime();
            var started = Stopwatch.GetTimestamp();
            Progress.Note($"bulk: uploading {count:N0} rows");
            using var content = new RosterContent(count);
            using var response = await client.PostAsync(
                new Uri($"/api/v1/campaigns/{campaignId}/uploads?institutionId={BulkIssueSetup.Institution}", UriKind.Relative),
                content,
                cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"The upload was refused: {(int)response.StatusCode} {body}");
            }

            var uploaded = Stopwatch.GetElapsedTime(started);
            var jobId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
            Progress.Note($"bulk: {content.BytesWritten / (1024.0 * 1024):N1} MB uploaded in {uploaded.TotalSeconds:N1} s; job {jobId}");

            JsonElement job;
            var lastNote = Stopwatch.GetTimestamp();
            while (true)
            {
                using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/v1/jobs/{jobId}", UriKind.Relative), cancellationToken).ConfigureAwait(false));
                job = document.RootElement.Clone();
                var status = job.GetProperty("status").GetString();
                if (status is "completed" or "cancelled" or "failed")
                {
                    break;
                }

                if (Stopwatch.GetElapsedTime(lastNote) > TimeSpan.FromSeconds(10))
                {
                    lastNote = Stopwatch.GetTimestamp();
                    var rss = engine?.PeakResidentBytes() is { } peak ? $", engine peak RSS {peak / (1024 * 1024):N0} MB" : "";
                    Progress.Note($"bulk: {status}, {job.GetProperty("issued").GetInt64():N0} issued, {job.GetProperty("rejected").GetInt64():N0} rejected, {Number(job, "rowsPerSecond"):N0} rows/s{rss}");
                }

                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var serverProcessor = server?.Read() - serverBefore;
            var engineProcessor = engine?.ProcessorTime() - engineBefore;
            var issued = job.GetProperty("issued").GetInt64();
            var rejected = job.GetProperty("rejected").GetInt64();
            if (job.GetProperty("status").GetString() != "completed" || issued != count)
            {
                throw new InvalidOperationException($"The job ended {job.GetProperty("status").GetString()} with {issued:N0} issued and {rejected:N0} rejected of {count:N0}: {job}");
            }

            var stored = await ScalarAsync(connectionString, $"SELECT count(*) FROM {Schema}.grain_state WHERE grain_type = 'voucher'", cancellationToken).ConfigureAwait(false);
            if (stored != count)
            {
                throw new InvalidOperationException($"The job reports {issued:N0} issued but the store holds {stored:N0} vouchers.");
            }

            var peakRss = engine?.PeakResidentBytes();
            return new IssueRun(issued, elapsed, uploaded, content.BytesWritten, peakRss, serverProcessor, engineProcessor, jobId);
        }
        finally
        {
            if (engine is not null)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void Report(IssueRun run, double copyRate, double ratio, int count, int issuers, int chunkRows, int maxActivations, Dictionary<string, string> engineEnvironment, bool startedEngine, string database)
    {
        var output = Console.Out;
        output.WriteLine();
        MachineInfo.WriteTo(output);
        output.WriteLine($"Database: {database}");
        output.WriteLine();
        var table = new ResultTable("phase", "seconds", "rate", "note")
        {
            Title = $"{count:N0} directed vouchers, {issuers} issuers, {chunkRows:N0} rows per chunk, engine MaxActivations {maxActivations:N0}",
        };
        table.AddRow("upload (CSV → stored chunks)", Seconds(run.Upload), $"{Format(count / run.Upload.TotalSeconds)} rows/s", $"{run.UploadBytes / (1024.0 * 1024):N1} MB");
        table.AddRow("issue (stored → durable vouchers)", Seconds(run.Elapsed - run.Upload), $"{Format(count / (run.Elapsed - run.Upload).TotalSeconds)} vouchers/s", "");
        table.AddRow("end to end", Seconds(run.Elapsed), $"{Format(run.VouchersPerSecond)} vouchers/s", $"job {run.JobId}");
        table.AddRow("raw COPY of as many voucher rows", Seconds(TimeSpan.FromSeconds(count / copyRate)), $"{Format(copyRate)} rows/s", "same server, after the run");
        table.WriteTo(output);
        output.WriteLine();

        var summary = new ResultTable("metric", "measured", "target", "vs target") { Title = "Summary" };
        summary.AddRow("vouchers_per_sec", Format(run.VouchersPerSecond), "", "");
        summary.AddRow("copy_rows_per_sec", Format(copyRate), "", "");
        summary.AddRow("ratio", ratio.ToString("0.00", CultureInfo.InvariantCulture), $">= {RatioTarget:0.00}", (ratio / RatioTarget).ToString("0.00", CultureInfo.InvariantCulture) + "x");
        summary.AddRow("peak_rss_mb", run.PeakRss is { } rss ? Format(rss / (1024.0 * 1024)) : "n/a", "<= 6,144", run.PeakRss is { } r ? (6144.0 / (r / (1024.0 * 1024))).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "");
        if (run.ServerProcessor is { } cpu)
        {
            summary.AddRow("db_cpu_us_per_voucher", (cpu.TotalMicroseconds / run.Issued).ToString("0.0", CultureInfo.InvariantCulture), "", "");
        }

        if (run.EngineProcessor is { } engineCpu)
        {
            summary.AddRow("engine_cpu_us_per_voucher", (engineCpu.TotalMicroseconds / run.Issued).ToString("0.0", CultureInfo.InvariantCulture), "", "");
        }

        summary.WriteTo(output);
        output.WriteLine();

        var json = new JsonSummary()
            .Add("bench", Name)
            .Add("count", count)
            .Add("vouchers_per_sec", Math.Round(run.VouchersPerSecond))
            .Add("copy_rows_per_sec", Math.Round(copyRate))
            .Add("ratio", Math.Round(ratio, 3))
            .Add("peak_rss_mb", run.PeakRss is { } peak ? Math.Round(peak / (1024.0 * 1024)) : null)
            .Add("seconds", Math.Round(run.Elapsed.TotalSeconds, 1))
            .Add("upload_seconds", Math.Round(run.Upload.TotalSeconds, 1))
            .Add("issuers", issuers)
            .Add("chunk_rows", chunkRows)
            .Add("max_activations", maxActivations)
            .Add("db_cpu_us_per_voucher", run.ServerProcessor is { } serverCpu ? Math.Round(serverCpu.TotalMicroseconds / run.Issued, 1) : null)
            .Add("engine_cpu_us_per_voucher", run.EngineProcessor is { } engineCpuTime ? Math.Round(engineCpuTime.TotalMicroseconds / run.Issued, 1) : null)
            .Add("engine_env", engineEnvironment.Count == 0 ? null : string.Join(',', engineEnvironment.Select(e => $"{e.Key}={e.Value}")))
            .Add("engine_gc", startedEngine ? EngineChild.GarbageCollector(engineEnvironment) : null)
            .Add("postgres", database);
        MachineInfo.AddTo(json);
        json.WriteTo(output);
    }

    /// <summary>The <c>key=value</c> pairs of option <paramref name="name"/>, separated by commas.</summary>
    private static Dictionary<string, string> Pairs(CommandOptions options, string name)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in (options.GetString(name) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new OptionException($"--{name} takes key=value pairs separated by commas; got '{pair}'.");
            }

            pairs[pair[..equals]] = pair[(equals + 1)..];
        }

        return pairs;
    }

    private static string EngineDirectory() =>
        Path.GetDirectoryName(typeof(EngineChild).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "EnginePath").Value)!;

    private static double Number(JsonElement job, string name) =>
        job.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;

    private static async Task<long> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // Counting ten million rows on a cold cache takes longer than Npgsql's default of 30 s.
            var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await using (command.ConfigureAwait(false))
            {
                return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>One end-to-end run.</summary>
    private sealed record IssueRun(long Issued, TimeSpan Elapsed, TimeSpan Upload, long UploadBytes, long? PeakRss, TimeSpan? ServerProcessor, TimeSpan? EngineProcessor, string JobId)
    {
        public double VouchersPerSecond => Issued / Elapsed.TotalSeconds;
    }
}
