using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace OrleansVoucher.Testing;

/// <summary>
/// A throwaway PostgreSQL server started from the machine's binaries, in a fresh temporary directory,
/// listening on a free port of 127.0.0.1. Disposing it stops the server at once and deletes the
/// directory. When the process runs as root the server runs as the <c>postgres</c> user, because
/// PostgreSQL refuses to run as root. Missing binaries are an error, never a reason to skip.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string DirectoryPrefix = "orleansvoucher-pg-";
    private const string ServiceUser = "postgres";
    private const int StartAttempts = 5;

    private static readonly Lazy<Task<PostgresServer>> s_shared = new(StartSharedAsync);

    private readonly PostgresServerOptions _options;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private string? _binDirectory;
    private string? _baseDirectory;
    private string? _connectionString;
    private bool _started;
    private bool _disposed;

    /// <summary>Prepares a server; <see cref="StartAsync"/> starts it.</summary>
    public PostgresServer(PostgresServerOptions? options = null) => _options = options ?? new PostgresServerOptions();

    /// <summary>The connection string of the server's <c>postgres</c> database, as the superuser.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The PostgreSQL server is not started.");

    /// <summary>The TCP port the server listens on (on 127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>The server's data directory.</summary>
    public string DataDirectory => Path.Combine(_baseDirectory ?? throw new InvalidOperationException("The PostgreSQL server is not started."), "data");

    /// <summary>
    /// One server for the whole process, started on first use and stopped when the process exits.
    /// Give each test class its own database with <see cref="CreateDatabaseAsync"/>.
    /// </summary>
    public static Task<PostgresServer> GetSharedAsync() => s_shared.Value;

    /// <summary>
    /// Creates the data directory and starts the server. Retries on another port when the chosen one
    /// was taken meanwhile. Throws <see cref="InvalidOperationException"/> when the PostgreSQL binaries
    /// are missing or the server does not come up, with the server's log in the message.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _binDirectory = FindBinDirectory(_options.BinDirectory);
            await RemoveStaleDirectoriesAsync(_binDirectory).ConfigureAwait(false);
            _baseDirectory = Path.Combine(Path.GetTempPath(), $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(_baseDirectory);
            try
            {
                await PrepareDirectoryAsync(cancellationToken).ConfigureAwait(false);
                await InitializeClusterAsync(cancellationToken).ConfigureAwait(false);
                await StartServerAsync(cancellationToken).ConfigureAwait(false);
                _started = true;
            }
            catch
            {
                await StopAndDeleteAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Creates an empty database (dropping one of that name first) and returns its connection string.
    /// The name is letters, digits and underscores.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!DatabaseNamePattern().IsMatch(name))
        {
            throw new ArgumentException($"The database name '{name}' must be 1-63 letters, digits or underscores.", nameof(name));
        }

        var connection = new NpgsqlConnection(ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            foreach (var sql in new[] { $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", $"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'" })
            {
                var command = new NpgsqlCommand(sql, connection);
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server immediately (no shutdown checkpoint) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await StopAndDeleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = new PostgresServer();
        await server.StartAsync().ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    private static bool RunsAsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    private async Task PrepareDirectoryAsync(CancellationToken cancellationToken)
    {
        var baseDirectory = _baseDirectory!;
        if (RunsAsRoot)
        {
            // The server runs as postgres, so the directory it owns must be postgres's.
            var (exitCode, output) = await RunAsync("chown", [$"{ServiceUser}:{ServiceUser}", baseDirectory], asServiceUser: false, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"PostgreSQL refuses to run as root, so the test server runs as the '{ServiceUser}' user, but handing it the data directory failed (does the user exist?): {output}");
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(baseDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private async Task InitializeClusterAsync(CancellationToken cancellationToken)
    {
        await RunCheckedAsync(
            Path.Combine(_binDirectory!, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            "initdb",
            cancellationToken).ConfigureAwait(false);

        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["listen_addresses"] = "'127.0.0.1'",
            ["unix_socket_directories"] = $"'{_baseDirectory}'",
            ["max_connections"] = _options.MaxConnections.ToString(CultureInfo.InvariantCulture),
            ["shared_buffers"] = $"'{_options.SharedBuffers}'",
            ["fsync"] = _options.Fsync ? "on" : "off",
            ["max_wal_size"] = "'2GB'",
            ["checkpoint_timeout"] = "'15min'",
            ["logging_collector"] = "off",

            // Tests race transactions on purpose; find their deadlocks fast.
            ["deadlock_timeout"] = "'100ms'",
        };
        foreach (var (name, value) in _options.Settings)
        {
            settings[name] = value;
        }

        var conf = new StringBuilder().AppendLine().AppendLine("# Throwaway test server");
        foreach (var (name, value) in settings)
        {
            conf.Append(name).Append(" = ").AppendLine(value);
        }

        // Appending keeps the file's owner.
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), conf.ToString(), cancellationToken).ConfigureAwait(false);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var logFile = Path.Combine(_baseDirectory!, "postgres.log");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var (exitCode, output) = await RunAsync(
                Path.Combine(_binDirectory!, "pg_ctl"),
                ["start", "-D", DataDirectory, "-l", logFile, "-w", "-t", ((int)_options.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-o", $"-p {port}"],
                asServiceUser: true,
                cancellationToken).ConfigureAwait(false);
            if (exitCode == 0)
            {
                Port = port;
                _connectionString = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = "postgres",
                    Database = "postgres",
                    IncludeErrorDetail = true,
                    Timeout = 30,
                }.ConnectionString;
                await WaitUntilAcceptingAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            var log = ReadLogTail(logFile);
            var portTaken = log.Contains("could not bind", StringComparison.OrdinalIgnoreCase) || log.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
            if (!portTaken || attempt == StartAttempts)
            {
                throw new InvalidOperationException($"The PostgreSQL test server did not start (pg_ctl exited with {exitCode}).{Environment.NewLine}{output}{Environment.NewLine}Server log:{Environment.NewLine}{log}");
            }

            // Start over with a clean log, so the next attempt's failure reason is its own.
            File.Delete(logFile);
        }
    }

    private async Task WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var connection = new NpgsqlConnection(_connectionString);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            catch (NpgsqlException) when (deadline.Elapsed < _options.Timeout)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task StopAndDeleteAsync()
    {
        var baseDirectory = _baseDirectory;
        if (baseDirectory is null)
        {
            return;
        }

        if (_binDirectory is not null && IsServerRunningIn(Path.Combine(baseDirectory, "data")))
        {
            await RunAsync(
                Path.Combine(_binDirectory, "pg_ctl"),
                ["stop", "-D", Path.Combine(baseDirectory, "data"), "-m", "immediate", "-w", "-t", ((int)_options.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)],
                asServiceUser: true,
                CancellationToken.None).ConfigureAwait(false);
        }

        if (_connectionString is not null)
        {
            // Connections pooled for the stopped server are dead; drop them.
            NpgsqlConnection.ClearAllPools();
        }

        await TryDeleteDirectoryAsync(baseDirectory).ConfigureAwait(false);
        _started = false;
    }

    /// <summary>
    /// Deletes directories left by earlier runs whose process is gone (killed before disposing its
    /// server), stopping a server still running in one of them.
    /// </summary>
    private static async Task RemoveStaleDirectoriesAsync(string binDirectory)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*");
        }
        catch (IOException)
        {
            return;
        }

        foreach (var directory in candidates)
        {
            var name = Path.GetFileName(directory);
            var dash = name.IndexOf('-', DirectoryPrefix.Length);
            if (dash < 0 || !int.TryParse(name.AsSpan(DirectoryPrefix.Length, dash - DirectoryPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ownerPid) || IsAlive(ownerPid))
            {
                continue;
            }

            var data = Path.Combine(directory, "data");
            if (IsServerRunningIn(data))
            {
                await RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w", "-t", "30"], asServiceUser: true, CancellationToken.None).ConfigureAwait(false);
            }

            await TryDeleteDirectoryAsync(directory).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether the process named by the data directory's <c>postmaster.pid</c> is a server of that very
    /// directory. A server killed without cleanup leaves the file behind, and its process id may since
    /// belong to an unrelated process, which must never be signalled.
    /// </summary>
    private static bool IsServerRunningIn(string dataDirectory)
    {
        try
        {
            var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
            if (!File.Exists(pidFile)
                || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return false;
            }

            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return commandLine.Contains(dataDirectory, StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task TryDeleteDirectoryAsync(string directory)
    {
        // The server's last processes may still be removing their own files: try a few times.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                if (attempt == 5)
                {
                    // Left for the next start's clean-up of stale directories.
                    return;
                }
            }

            await Task.Delay(100 * attempt).ConfigureAwait(false);
        }
    }

    private static string FindBinDirectory(string? configured)
    {
        var searched = new List<string>();
        IEnumerable<string> Candidates()
        {
            if (!string.IsNullOrEmpty(configured))
            {
                yield return configured;
                yield break;
            }

            if (Environment.GetEnvironmentVariable("ORLEANSVOUCHER_PG_BIN") is { Length: > 0 } fromEnvironment)
            {
                yield return fromEnvironment;
            }

            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                yield return directory;
            }

            const string Debian = "/usr/lib/postgresql";
            if (Directory.Exists(Debian))
            {
                var versions = Directory.GetDirectories(Debian)
                    .Select(d => (Directory: d, Version: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0))
                    .OrderByDescending(d => d.Version);
                foreach (var (directory, _) in versions)
                {
                    yield return Path.Combine(directory, "bin");
                }
            }
        }

        foreach (var directory in Candidates())
        {
            searched.Add(directory);
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException(
            "The PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found, so the PostgreSQL tests cannot run. " +
            "Install PostgreSQL 15 (for example 'apt-get install postgresql-15') or point ORLEANSVOUCHER_PG_BIN at its bin directory. " +
            $"Searched: {string.Join(", ", searched)}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ReadLogTail(string logFile)
    {
        try
        {
            var lines = File.ReadAllLines(logFile);
            return string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Length - 40)));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
        catch (UnauthorizedAccessException)
        {
            return "(server log unreadable)";
        }
    }

    private async Task RunCheckedAsync(string file, IReadOnlyList<string> arguments, string what, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunAsync(file, arguments, asServiceUser: true, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed with exit code {exitCode}:{Environment.NewLine}{output}");
        }
    }

    /// <summary>
    /// Runs a program to its end and returns its exit code and output; as the postgres user when
    /// asked and this process is root.
    /// </summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> arguments, bool asServiceUser, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asServiceUser && RunsAsRoot)
        {
            if (new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser" }.FirstOrDefault(File.Exists) is { } runuser)
            {
                start.FileName = runuser;
                start.ArgumentList.Add("-u");
                start.ArgumentList.Add(ServiceUser);
                start.ArgumentList.Add("--");
            }
            else
            {
                // su hands the words after "--" to the shell as $0, $1, ...
                start.FileName = "su";
                start.ArgumentList.Add("-s");
                start.ArgumentList.Add("/bin/sh");
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add("exec \"$0\" \"$@\"");
                start.ArgumentList.Add(ServiceUser);
                start.ArgumentList.Add("--");
            }

            start.ArgumentList.Add(file);
        }
        else
        {
            start.FileName = file;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"Could not run {start.FileName}: {exception.Message}", exception);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false)));
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseNamePattern();
}
