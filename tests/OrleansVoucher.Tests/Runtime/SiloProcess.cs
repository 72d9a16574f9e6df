using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// A silo in a child process (the <c>tests/SiloHost</c> program), driven through its stdin and stdout, so
/// that a test can kill it the hard way while it writes.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly string s_hostAssembly = typeof(SiloProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SiloHostPath").Value
        ?? throw new InvalidOperationException("The test assembly does not record where the silo host was built.");

    private readonly Process _process;
    private readonly Action<string> _onLine;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _errors = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private SiloProcess(Process process, Action<string> onLine)
    {
        _process = process;
        _onLine = onLine;
        _stdout = Task.Run(PumpOutputAsync);
        _stderr = Task.Run(PumpErrorsAsync);
    }

    /// <summary>Completes when the process's stdout has closed and every answer it wrote was handled.</summary>
    public Task Answers => _stdout;

    /// <summary>What the process wrote to stderr so far: its logs.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a silo host with <paramref name="arguments"/> and waits until it takes calls. Every line it
    /// answers afterwards goes to <paramref name="onLine"/>, in order, on one thread.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyList<string> arguments, Action<string> onLine)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(s_hostAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The silo host did not start.");
        var silo = new SiloProcess(process, onLine);
        try
        {
            await Task.WhenAny(silo._ready.Task, silo._stdout).Unwrap().WaitAsync(TimeSpan.FromSeconds(60));
            if (!silo._ready.Task.IsCompleted)
            {
                throw new InvalidOperationException($"The silo host exited before it was ready.{Environment.NewLine}{silo.Errors}");
            }
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>Sends commands, one per line.</summary>
    public async Task SendAsync(IEnumerable<string> commands)
    {
        var input = _process.StandardInput;
        foreach (var command in commands)
        {
            await input.WriteAsync(command + "\n");
        }

        await input.FlushAsync();
    }

    /// <summary>Kills the process with SIGKILL: no shutdown, no flushing, no finally blocks.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Waits for the process to end and returns its exit code (128 + the signal when a signal killed it).</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TestSilo.Hang);
        return _process.ExitCode;
    }

    /// <summary>Asks the silo to stop gracefully and waits for it to exit.</summary>
    public async Task<int> QuitAsync()
    {
        await SendAsync(["quit"]);
        return await WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TestSilo.Hang);
        await Task.WhenAll(_stdout, _stderr).WaitAsync(TestSilo.Hang);
        _process.Dispose();
    }

    private async Task PumpOutputAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "ready")
            {
                _ready.TrySetResult();
            }
            else
            {
                _onLine(line);
            }
        }
    }

    private async Task PumpErrorsAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_errors)
            {
                _errors.AppendLine(line);
            }
        }
    }
}
