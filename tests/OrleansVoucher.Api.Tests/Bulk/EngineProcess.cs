using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansVoucher.Api.Tests.Bulk;

/// <summary>
/// The engine (<c>OrleansVoucher.Api.dll</c>) running as a child process on a free local port, so that a
/// test can kill it with SIGKILL mid-work and start it again on the same database.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EngineProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Where the engine listens.</summary>
    public Uri Address { get; }

    /// <summary>What the engine logged so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the engine with <paramref name="settings"/> (as <c>--key=value</c>) and waits until it answers.</summary>
    public static async Task<EngineProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var assembly = typeof(Program).Assembly.Location;
        var port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Logging__LogLevel__Default"] = "Warning", ["Logging__LogLevel__OrleansVoucher.Grains.BulkIssuance"] = "Information" },
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var engine = new EngineProcess(Process.Start(start) ?? throw new InvalidOperationException("The engine did not start."), new Uri($"http://127.0.0.1:{port}"));
        using var probe = new HttpClient { BaseAddress = engine.Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (engine._process.HasExited)
            {
                throw new InvalidOperationException($"The engine exited with {engine._process.ExitCode}:{Environment.NewLine}{engine.Output}");
            }

            try
            {
                using var response = await probe.GetAsync("/health/live");
                if (response.IsSuccessStatusCode)
                {
                    return engine;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                await engine.DisposeAsync();
                throw new InvalidOperationException($"The engine did not answer within 60 s:{Environment.NewLine}{engine.Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A client of the engine whose requests carry <paramref name="token"/>.</summary>
    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>Kills the engine with SIGKILL (no shutdown, no flushing) and waits until it is gone; returns its exit code.</summary>
    public async Task<int> KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    /// <summary>
    /// Stops the engine with SIGSTOP, as a long pause of the machine or the runtime would: it keeps its
    /// connections, its locks and whatever it was doing, and does nothing until <see cref="Resume"/>.
    /// </summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Lets a paused engine go on (SIGCONT) from where it stopped.</summary>
    public void Resume() => Signal(SigCont);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    private void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"Signal {signal} to the engine failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
