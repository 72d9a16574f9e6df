using System.Globalization;

namespace OrleansVoucher.LoadTests.Benchmarks.Runtime;

/// <summary>
/// The CPU time a local PostgreSQL server has used: its postmaster, every live child (backends, WAL
/// writer, checkpointer) and the children it has already reaped, read from Linux's <c>/proc</c>. With
/// the benchmark's own CPU time it gives what a write costs the machine, whatever else is running on it.
/// </summary>
internal sealed class ServerProcessorTime
{
    // /proc reports times in USER_HZ ticks, which Linux fixes at 100 per second for user space.
    private const double TicksPerSecond = 100;

    private readonly int _postmaster;

    private ServerProcessorTime(int postmaster) => _postmaster = postmaster;

    /// <summary>The server whose data directory is <paramref name="dataDirectory"/>, or null when its processes cannot be read.</summary>
    public static ServerProcessorTime? ForDataDirectory(string dataDirectory)
    {
        try
        {
            var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
            if (!OperatingSystem.IsLinux() || !File.Exists(pidFile))
            {
                return null;
            }

            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            if (!int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            var reader = new ServerProcessorTime(pid);
            return reader.Read() is null ? null : reader;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The server's CPU time so far, or null when the postmaster is gone.</summary>
    public TimeSpan? Read()
    {
        if (ReadStat(_postmaster) is not { } postmaster)
        {
            return null;
        }

        var ticks = postmaster.Own + postmaster.ReapedChildren;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != _postmaster
                && ReadStat(pid) is { } stat
                && stat.Parent == _postmaster)
            {
                ticks += stat.Own + stat.ReapedChildren;
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    private static (int Parent, long Own, long ReapedChildren)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            // The process ended between listing and reading.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // Fields after the command name, which is in parentheses and may itself hold spaces: state is
        // field 3, the parent 4, utime and stime 14 and 15, cutime and cstime 16 and 17.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
    }
}
