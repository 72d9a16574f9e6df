using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace OrleansVoucher.LoadTests.Benchmarks.BulkIssue;

/// <summary>
/// The engine (<c>OrleansVoucher.Api</c>, built with the benchmark) as a child process on a free local
/// port, so its memory is its own: the benchmark reads its peak resident set from <c>/proc</c>.
/// </summary>
internal sealed class EngineChild : IAsyncDisposable
{
    private static readonly string s_assembly = typeof(EngineChild).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "EnginePath").Value
        ?? throw new InvalidOperationException("The benchmark does not record where the engine was built.");

    private readonly Process _process;

    private EngineChild(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The directory the engine was built into (where its settings files are).</summary>
    public static string EngineDirectory => Path.GetDirectoryName(s_assembly)!;

    public int ProcessId => _process.Id;

    /// <summary>
    /// The engine's garbage collector, e.g. <c>server, concurrent</c>: its runtime configuration
    /// (<c>System.GC.Server</c>, <c>System.GC.Concurrent</c>) unless <paramref name="environment"/>
    /// overrides it (<c>DOTNET_gcServer</c>, <c>DOTNET_gcConcurrent</c>).
    /// </summary>
    public static string GarbageCollector(IReadOnlyDictionary<string, string> environment)
    {
        var server = false;
        var concurrent = true;
        var config = Path.ChangeExtension(s_assembly, ".runtimeconfig.json");
        if (File.Exists(config))
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config));
            if (document.RootElement.TryGetProperty("runtimeOptions", out var options) && options.TryGetProperty("configProperties", out var properties))
            {
                server = properties.TryGetProperty("System.GC.Server", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.True;
                concurrent = !properties.TryGetProperty("System.GC.Concurrent", out var c) || c.ValueKind != System.Text.Json.JsonValueKind.False;
            }
        }

        if (environment.TryGetValue("DOTNET_gcServer", out var serverValue))
        {
            server = serverValue is "1" or "true";
        }

        if (environment.TryGetValue("DOTNET_gcConcurrent", out var concurrentValue))
        {
            concurrent = concurrentValue is "1" or "true";
        }

        return (server ? "server" : "workstation") + (concurrent ? ", concurrent" : ", non-concurrent");
    }

    public static Task<EngineChild> StartAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
        StartAsync(settings, new Dictionary<string, string>(), cancellationToken);

    /// <summary>Starts the engine with <paramref name="settings"/> and further <paramref name="environment"/> variables.</summary>
    public static async Task<EngineChild> StartAsync(IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(s_assembly)!,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Logging__LogLevel__Default"] = "Warning" },
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(s_assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The engine did not start.");
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var engine = new EngineChild(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")));
        using var probe = new HttpClient { BaseAddress = engine.Address, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The engine exited with {process.ExitCode} before it answered.");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return engine;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                await engine.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException("The engine did not answer within 2 minutes.");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The CPU time the engine has used so far (user and system), from <c>/proc</c>; null when it cannot be read.</summary>
    public TimeSpan? ProcessorTime()
    {
        try
        {
            var text = File.ReadAllText($"/proc/{_process.Id}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The engine's peak resident set (VmHWM) so far, in bytes; null when it cannot be read.</summary>
    public long? PeakResidentBytes() => PeakResidentBytes(_process.Id);

    /// <summary>The peak resident set (VmHWM) of a process, in bytes; null when it cannot be read.</summary>
    public static long? PeakResidentBytes(int processId)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kilobytes = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                    return kilobytes * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>Asks the engine to stop (SIGTERM: a graceful shutdown), killing it if it does not within a minute.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await terminate.WaitForExitAsync().ConfigureAwait(false);
            }

            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    private static void Forward(string? line)
    {
        if (line is not null)
        {
            Console.Error.WriteLine("engine: " + line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
