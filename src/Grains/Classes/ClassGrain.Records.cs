using System.Globalization;
using OrleansVoucher.Grains.Common;

namespace OrleansVoucher.Grains.Classes;

/// <summary>
/// The class's records: its row (the definition) and its counters, both read when the class is activated,
/// the roster pages and one record per trainee. The roster is read when the class is activated, after
/// the counters (they say how many pages there are); a trainee's record when it is first needed, then kept.
/// </summary>
internal sealed partial class ClassGrain
{
    private const string GrainTypeName = "class";
    private const string StateName = "class";
    private const string CountersStateName = "counters";
    private const string RosterStateName = "roster";
    private const string TraineeStateName = "trainee";

    /// <summary>Enrolled trainees by citizen id, with their enrolment ordinals.</summary>
    private readonly Dictionary<string, long> _roster = new(StringComparer.Ordinal);

    /// <summary>The roster pages read or written, by page number.</summary>
    private readonly Dictionary<long, TransactionalRecord<RosterPage>> _pages = [];

    /// <summary>The trainees' records read or written so far, by citizen id.</summary>
    private readonly Dictionary<string, TransactionalRecord<TraineeState>> _trainees = new(StringComparer.Ordinal);

    /// <summary>The records an enrolment or withdrawal holds pending with the class's counters, and what its commit changes here.</summary>
    private PendingChange? _pendingChange;

    /// <summary>The storage key of the trainee record of enrolment <paramref name="ordinal"/> of <paramref name="citizenId"/> in class <paramref name="classKey"/>.</summary>
    internal static GrainStateKey TraineeKeyOf(string classKey, string citizenId, long ordinal) =>
        new(GrainTypeName, TraineeStateName, string.Create(CultureInfo.InvariantCulture, $"{classKey}/{citizenId}/{ordinal}"));

    /// <summary>The storage key of page <paramref name="page"/> of class <paramref name="classKey"/>'s roster.</summary>
    internal static GrainStateKey RosterKeyOf(string classKey, long page) =>
        new(GrainTypeName, RosterStateName, string.Create(CultureInfo.InvariantCulture, $"{classKey}/{page}"));

    public override Task OnActivateAsync(CancellationToken cancellationToken) => LoadRosterAsync(cancellationToken);

    /// <summary>
    /// Reads the class's counters and its roster again, forgetting every record read so far. The class's
    /// row is not read again: its definition does not change once an activation has read (or migrated) it.
    /// </summary>
    private async Task ReloadAsync()
    {
        _pendingChange = null;
        await _counters.ReloadAsync();
        await LoadRosterAsync(CancellationToken.None);
    }

    private async Task LoadRosterAsync(CancellationToken cancellationToken)
    {
        _roster.Clear();
        _pages.Clear();
        _trainees.Clear();
        if (_definition.State.InstitutionId is not null && !_counters.RecordExists && await MigrateAsync())
        {
            return;
        }

        for (var page = 0L; page < PageCount(_counters.State.NextOrdinal); page++)
        {
            _pages[page] = NewRecord<RosterPage>(RosterKeyOf(Key, page));
        }

        await Task.WhenAll(_pages.Values.Select(page => page.ReadAsync(cancellationToken)));
        foreach (var (number, page) in _pages)
        {
            AddToRoster(number, page.State);
        }
    }

    /// <summary>
    /// Moves what changes of a class written in a former shape out of the class's row, in one unit that
    /// writes the row (the definition alone) and the class's first counters record. A class is in a former
    /// shape when its row exists and its counters record does not: its counters are in the row (since
    /// per-trainee records), or its trainees are, and the counts are derived from them (before). The
    /// trainees of the latter go into their own records and roster pages in the same unit.
    /// </summary>
    /// <remarks>
    /// Migrating when activated, rather than reading the counters from the row until the first change,
    /// keeps one place (the counters record) that every enrolment version-checks against from the
    /// activation's first call on. A second activation (in this engine or another) that migrated first
    /// makes the unit lose its version check (the row's, and the counters' as a record that now exists):
    /// the activation then fails, and the next call reads the migrated class.
    /// </remarks>
    /// <returns>Whether the migration wrote the roster's pages (and so knows them).</returns>
    private async Task<bool> MigrateAsync()
    {
        var former = _definition.State;
        var trainees = former.Trainees;
        var counters = new ClassCounters
        {
            Enrolled = trainees?.Count ?? former.Enrolled ?? 0,
            NextOrdinal = trainees?.Count ?? former.NextOrdinal ?? 0,
            AttendedSessions = trainees is null ? [.. former.AttendedSessions ?? []] : [.. trainees.Values.SelectMany(t => t.Attended).Distinct().Order()],
            Flags = [.. former.Flags ?? []],
        };
        await using var transaction = new TransactionCoordinator(_services.Storage);
        transaction.EnlistSelf(_definition, former.DefinitionOnly());
        transaction.EnlistSelf(_counters, counters);
        var pageDrafts = trainees is null ? null : EnlistTrainees(transaction, trainees);
        if (!await transaction.CommitAsync())
        {
            throw new InvalidOperationException($"Class {Key} was migrated by another activation at the same time.");
        }

        foreach (var (number, page) in pageDrafts ?? [])
        {
            AddToRoster(number, page);
        }

        return pageDrafts is not null;
    }

    /// <summary>Enlists the trainees of a class written with them inside its row as records of their own, by ordinal, and the roster's pages.</summary>
    private Dictionary<long, RosterPage> EnlistTrainees(TransactionCoordinator transaction, Dictionary<string, TraineeState> trainees)
    {
        var ordinal = 0L;
        var pageDrafts = new Dictionary<long, RosterPage>();
        foreach (var (citizenId, trainee) in trainees)
        {
            var record = NewRecord<TraineeState>(TraineeKeyOf(Key, citizenId, ordinal));
            transaction.EnlistSelf(record, trainee);
            _trainees[citizenId] = record;
            var page = ordinal / RosterPage.Size;
            if (!pageDrafts.TryGetValue(page, out var pageDraft))
            {
                pageDrafts[page] = pageDraft = new RosterPage();
            }

            pageDraft.Trainees.Add(citizenId);
            ordinal++;
        }

        foreach (var (page, pageDraft) in pageDrafts)
        {
            var record = NewRecord<RosterPage>(RosterKeyOf(Key, page));
            transaction.EnlistSelf(record, pageDraft);
            _pages[page] = record;
        }

        return pageDrafts;
    }

    private void AddToRoster(long number, RosterPage page)
    {
        var first = number * RosterPage.Size;
        var slots = page.Trainees;
        for (var i = 0; i < slots.Count; i++)
        {
            if (slots[i] is { } citizenId)
            {
                _roster[citizenId] = first + i;
            }
        }
    }

    /// <summary>
    /// The record of an enrolled trainee, read from the store if this activation has not read it yet (or
    /// a write of it failed). Null when the store no longer holds it: another activation withdrew the
    /// trainee, so this one reloads the class.
    /// </summary>
    private async Task<TransactionalRecord<TraineeState>?> TraineeAsync(string citizenId)
    {
        if (!_roster.TryGetValue(citizenId, out var ordinal))
        {
            return null;
        }

        if (!_trainees.TryGetValue(citizenId, out var record))
        {
            _trainees[citizenId] = record = NewRecord<TraineeState>(TraineeKeyOf(Key, citizenId, ordinal));
            await record.ReadAsync();
        }
        else if (record.IsStale)
        {
            await record.ReadAsync();
        }

        if (!record.RecordExists)
        {
            await ReloadAsync();
            return null;
        }

        return record;
    }

    /// <summary>The roster page an enrolment's ordinal falls in: read, or new when the ordinal opens it.</summary>
    private async Task<TransactionalRecord<RosterPage>> PageAsync(long ordinal)
    {
        var number = ordinal / RosterPage.Size;
        if (!_pages.TryGetValue(number, out var page))
        {
            _pages[number] = page = NewRecord<RosterPage>(RosterKeyOf(Key, number));
            if (ordinal % RosterPage.Size != 0)
            {
                await page.ReadAsync();
            }
        }
        else if (page.IsStale)
        {
            await page.ReadAsync();
        }

        return page;
    }

    /// <summary>
    /// Runs attempts of a change until one commits: each builds its unit on the transaction it is given
    /// and returns the answer to give once it is durable, or a rejection (which abandons the unit). After a
    /// lost version race the class is read again and the next attempt decides on what the store holds.
    /// </summary>
    private async Task<Result<T>> CommitAsync<T>(Func<TransactionCoordinator, Task<Result<T>>> attempt)
    {
        for (var i = 0; i < Attempts.Max; i++)
        {
            await using var transaction = new TransactionCoordinator(_services.Storage);
            var result = await attempt(transaction);
            if (!result.IsSuccess || await transaction.CommitAsync())
            {
                return result;
            }

            await ReloadAsync();
        }

        return Attempts.Contended<T>();
    }

    private TransactionalRecord<TRecord> NewRecord<TRecord>(GrainStateKey key)
        where TRecord : class, new() => new(key, _services.Storage, _services.Serializer, _services.Time);

    private static int PageCount(long ordinals) => (int)((ordinals + RosterPage.Size - 1) / RosterPage.Size);

    /// <summary>An enrolment's or withdrawal's records held pending with the class's counters, and what its commit changes in memory.</summary>
    private sealed record PendingChange(TransactionId Transaction, IReadOnlyList<Action<TransactionOutcome>> Records, Action Committed);
}
