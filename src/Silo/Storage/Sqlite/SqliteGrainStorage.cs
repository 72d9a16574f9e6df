using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage.GroupCommit;

namespace OrleansVoucher.Silo.Storage.Sqlite;

/// <summary>
/// Grain storage in one SQLite file: the embedded default. The file is in WAL mode and, by default,
/// every commit is synced to disk, so an acknowledged write survives a killed process and a power loss.
/// Concurrent writes are group-committed on one write connection (one transaction, one sync, many
/// units); reads run on their own connections and never wait for writes. All blocking SQLite calls run
/// on the store's own threads. Several processes may open the same file; their transactions take turns.
/// </summary>
/// <remarks>
/// Stream events are numbered by the table's AUTOINCREMENT key inside write transactions that the
/// file's write lock serializes, so sequence order is commit order and a reader paging with
/// <see cref="ReadStreamAsync"/> never skips an event, whichever process appended it.
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainStorage, IAsyncDisposable
{
    private const string StoreName = "SQLite";

    private readonly SqliteStorageOptions _options;
    private readonly SqliteBatchWriter _batchWriter;
    private readonly SqliteBatchReader _batchReader = new();
    private readonly GroupCommitWriter _writer;
    private readonly ReadBatcher _reader;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _initialization = new(1, 1);
    private int _disposed;

    /// <summary>Creates the store; call <see cref="InitializeAsync"/> before using it.</summary>
    /// <param name="options">The file, its durability and batching settings.</param>
    /// <param name="metrics">Where batch sizes, durations and conflicts are recorded; null for none.</param>
    /// <param name="logger">Where schema migrations and failed transactions are logged.</param>
    /// <param name="timeProvider">The clock stamping states and events; the system clock when null.</param>
    public SqliteGrainStorage(SqliteStorageOptions options, SiloMetrics? metrics = null, ILogger<SqliteGrainStorage>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger<SqliteGrainStorage>.Instance;
        _batchWriter = new SqliteBatchWriter(timeProvider ?? TimeProvider.System);

        // One write connection, so one transaction at a time.
        _writer = new GroupCommitWriter(_batchWriter, StoreName, options.MaxBatchSize, options.MaxBatchBytes, maxConcurrentBatches: 1, serializeEventBatches: true, metrics, _logger);
        _reader = new ReadBatcher(_batchReader, StoreName, options.MaxReadBatchSize, options.ReadConnections, metrics, _logger);
    }

    /// <summary>The group commit loop, for tests.</summary>
    internal GroupCommitWriter Writer => _writer;

    /// <summary>The read coalescing loop, for tests.</summary>
    internal ReadBatcher Reader => _reader;

    /// <summary>
    /// Opens (creating if needed) the file and its connections and migrates the schema to this release's
    /// version. Safe when several processes open the same file at once.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var directory = Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var (from, to) = await _batchWriter.OpenAsync(_options.DatabasePath, _options.Synchronous, _options.BusyTimeout).ConfigureAwait(false);
            await _batchReader.OpenAsync(_options.DatabasePath, _options.ReadConnections, _options.BusyTimeout).ConfigureAwait(false);
            if (from < to)
            {
                SchemaMigrated(_logger, from, to);
            }
            else
            {
                SchemaCurrent(_logger, to);
            }
        }
        finally
        {
            _initialization.Release();
        }
    }

    /// <inheritdoc />
    public Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken) => _reader.ReadAsync(key, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredState>> ReadManyAsync(IReadOnlyList<GrainStateKey> keys, CancellationToken cancellationToken) => _reader.ReadManyAsync(keys, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken) => _writer.CommitAsync(unit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        StorageArguments.ValidateStream(stream);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return Task.FromException<IReadOnlyList<StoredStreamEvent>>(new ObjectDisposedException(nameof(SqliteGrainStorage)));
        }

        return maxCount <= 0
            ? Task.FromResult<IReadOnlyList<StoredStreamEvent>>([])
            : _batchReader.ReadStreamAsync(stream, afterSequence, maxCount, cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return Task.FromException<int>(new ObjectDisposedException(nameof(SqliteGrainStorage)));
        }

        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<int>(cancellationToken)
            : _batchWriter.DeleteExpiredAsync(expiredBefore, maxCount);
    }

    /// <summary>
    /// Accepts no more calls, commits (or fails) every write already accepted and answers every read,
    /// then closes the file.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _initialization.WaitAsync().ConfigureAwait(false);

        await _batchReader.DisposeAsync().ConfigureAwait(false);
        await _batchWriter.DisposeAsync().ConfigureAwait(false);
        _initialization.Dispose();
    }
}
