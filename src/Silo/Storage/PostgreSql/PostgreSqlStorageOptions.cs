using System.Text.RegularExpressions;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>Settings of <see cref="PostgreSqlGrainStorage"/>.</summary>
public sealed partial class PostgreSqlStorageOptions
{
    /// <summary>The schema used when none is configured.</summary>
    public const string DefaultSchema = "orleans_voucher";

    /// <summary>The Npgsql connection string. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The schema holding the store's tables, created if missing. A plain lower-case identifier
    /// (letters, digits, underscores). Several silos share a store by sharing database and schema.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>Most write units committed in one transaction.</summary>
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>
    /// Most payload bytes (states and events) committed in one transaction, so that a batch of large
    /// states stays well below the server's limit on one parameter. A single larger unit still commits,
    /// alone.
    /// </summary>
    public long MaxBatchBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Most write transactions in flight at once, each on its own connection. Two let one batch
    /// form and travel while the previous one waits for its commit to reach disk.
    /// </summary>
    public int MaxConcurrentBatches { get; set; } = 2;

    /// <summary>Most distinct states read in one query.</summary>
    public int MaxReadBatchSize { get; set; } = 1024;

    /// <summary>Most read queries in flight at once.</summary>
    public int MaxConcurrentReads { get; set; } = 4;

    /// <summary>
    /// Whether states expected to be new are inserted without conflict handling first, which halves the
    /// cost of creating states; a batch meeting an existing one runs again with conflict-tolerant
    /// inserts. Turn off only when creating an existing state is common (every such batch then runs
    /// twice).
    /// </summary>
    public bool OptimisticInserts { get; set; } = true;

    /// <summary>
    /// How often a batch is retried when the server aborts it for a reason unrelated to its data (a
    /// deadlock with another silo's transaction). The batch's units fail once retries run out.
    /// </summary>
    public int MaxTransientRetries { get; set; } = 5;

    /// <summary>
    /// How long the server lets one of the store's connections sit idle inside a transaction before it
    /// ends the session and rolls the transaction back; <see cref="TimeSpan.Zero"/> leaves the server's
    /// setting. A silo that stalls mid-commit (paused, starved, cut off without the connection closing)
    /// holds the row locks of its transaction; this bounds how long other silos' writes to those states
    /// wait. The stalled commit fails, so nothing it held is acknowledged.
    /// </summary>
    public TimeSpan IdleInTransactionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("A PostgreSQL connection string is required.", nameof(ConnectionString));
        }

        if (Schema is null || !SchemaPattern().IsMatch(Schema))
        {
            throw new ArgumentException($"The schema '{Schema}' is not a plain lower-case identifier (letters, digits and underscores, at most 63 characters).", nameof(Schema));
        }

        ThrowIfBelowOne(MaxBatchSize, nameof(MaxBatchSize));
        ThrowIfBelowOne(MaxConcurrentBatches, nameof(MaxConcurrentBatches));
        if (MaxBatchBytes < 1)
        {
            throw new ArgumentException($"MaxBatchBytes must be at least 1, not {MaxBatchBytes}.", nameof(MaxBatchBytes));
        }

        ThrowIfBelowOne(MaxReadBatchSize, nameof(MaxReadBatchSize));
        ThrowIfBelowOne(MaxConcurrentReads, nameof(MaxConcurrentReads));
        if (IdleInTransactionTimeout < TimeSpan.Zero || IdleInTransactionTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"IdleInTransactionTimeout must be zero (the server's setting) or positive, not {IdleInTransactionTimeout}.", nameof(IdleInTransactionTimeout));
        }

        if (MaxTransientRetries < 0)
        {
            throw new ArgumentException("MaxTransientRetries must not be negative.", nameof(MaxTransientRetries));
        }
    }

    private static void ThrowIfBelowOne(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{name} must be at least 1, not {value}.", name);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaPattern();
}
