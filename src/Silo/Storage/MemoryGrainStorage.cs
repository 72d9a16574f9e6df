namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// Grain storage in this process's memory, for tests and throwaway runs. It keeps the same version
/// semantics as the SQL stores, so a test that passes here exercises the same conflicts, but nothing
/// survives the process.
/// </summary>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly Lock _lock = new();
    private readonly Dictionary<GrainStateKey, Entry> _states = [];
    private readonly List<StoredStreamEvent> _events = [];
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty store.</summary>
    public MemoryGrainStorage(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_states.GetValueOrDefault(key).State);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        lock (_lock)
        {
            foreach (var write in unit.States)
            {
                var stored = _states.GetValueOrDefault(write.Key).State.Version;
                if (stored != write.ExpectedVersion)
                {
                    return Task.FromException<IReadOnlyList<long>>(new InconsistentStateException(write.Key, write.ExpectedVersion, stored));
                }
            }

            var versions = new long[unit.States.Count];
            for (var i = 0; i < versions.Length; i++)
            {
                var write = unit.States[i];
                versions[i] = write.ExpectedVersion + 1;
                _states[write.Key] = new Entry(new StoredState(versions[i], write.Payload?.ToArray()), write.ExpiresAt);
            }

            var now = _timeProvider.GetUtcNow();
            foreach (var e in unit.Events)
            {
                _events.Add(new StoredStreamEvent(_events.Count + 1, e.Stream, e.Key, e.Payload.ToArray(), now));
            }

            return Task.FromResult<IReadOnlyList<long>>(versions);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Sequences are positions in the list, so the scan starts right after afterSequence.
            var result = new List<StoredStreamEvent>();
            for (var i = (int)Math.Max(0, afterSequence); i < _events.Count && result.Count < maxCount; i++)
            {
                if (_events[i].Stream == stream)
                {
                    result.Add(_events[i]);
                }
            }

            return Task.FromResult<IReadOnlyList<StoredStreamEvent>>(result);
        }
    }

    /// <inheritdoc />
    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        lock (_lock)
        {
            var expired = new List<GrainStateKey>();
            foreach (var (key, entry) in _states)
            {
                if (entry.ExpiresAt < expiredBefore)
                {
                    expired.Add(key);
                    if (expired.Count == maxCount)
                    {
                        break;
                    }
                }
            }

            foreach (var key in expired)
            {
                _states.Remove(key);
            }

            return Task.FromResult(expired.Count);
        }
    }

    /// <summary>A stored state and the expiry its last write declared.</summary>
    private readonly record struct Entry(StoredState State, DateTimeOffset? ExpiresAt);
}
