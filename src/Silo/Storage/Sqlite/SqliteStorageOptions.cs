namespace OrleansVoucher.Silo.Storage.Sqlite;

/// <summary>Settings of <see cref="SqliteGrainStorage"/>.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>The database file, created if missing. Required.</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>
    /// How hard a commit waits for the disk. <see cref="SqliteSynchronousMode.Full"/> (the default)
    /// makes an acknowledged write survive a killed process and a power loss.
    /// </summary>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Full;

    /// <summary>Most write units committed in one transaction.</summary>
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>
    /// Most payload bytes (states and events) committed in one transaction. A single larger unit still
    /// commits, alone.
    /// </summary>
    public long MaxBatchBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Read connections, each served by its own thread; reads never wait for writes.</summary>
    public int ReadConnections { get; set; } = 2;

    /// <summary>Most distinct states read in one batch.</summary>
    public int MaxReadBatchSize { get; set; } = 256;

    /// <summary>How long a transaction waits for another process holding the database's write lock.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new ArgumentException("A SQLite database path is required.", nameof(DatabasePath));
        }

        if (!Enum.IsDefined(Synchronous))
        {
            throw new ArgumentException($"Unknown synchronous mode {Synchronous}.", nameof(Synchronous));
        }

        if (MaxBatchSize < 1)
        {
            throw new ArgumentException($"MaxBatchSize must be at least 1, not {MaxBatchSize}.", nameof(MaxBatchSize));
        }

        if (MaxBatchBytes < 1)
        {
            throw new ArgumentException($"MaxBatchBytes must be at least 1, not {MaxBatchBytes}.", nameof(MaxBatchBytes));
        }

        if (ReadConnections < 1)
        {
            throw new ArgumentException($"ReadConnections must be at least 1, not {ReadConnections}.", nameof(ReadConnections));
        }

        if (MaxReadBatchSize < 1)
        {
            throw new ArgumentException($"MaxReadBatchSize must be at least 1, not {MaxReadBatchSize}.", nameof(MaxReadBatchSize));
        }

        if (BusyTimeout < TimeSpan.Zero || BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"BusyTimeout {BusyTimeout} is out of range.", nameof(BusyTimeout));
        }
    }
}

/// <summary>SQLite's <c>synchronous</c> setting for the write connection, in WAL mode.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>
    /// The WAL is synced at checkpoints only: a killed process loses nothing, but a power loss may lose
    /// the last acknowledged transactions (never corrupting the file).
    /// </summary>
    Normal,

    /// <summary>The WAL is synced at every commit: an acknowledged write survives a power loss.</summary>
    Full,

    /// <summary>Like <see cref="Full"/>, also syncing the directory when the WAL is reset.</summary>
    Extra,
}
