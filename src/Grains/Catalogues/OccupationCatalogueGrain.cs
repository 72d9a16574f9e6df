using System.Globalization;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Grains.Catalogues;

/// <summary>A region's occupation catalogue for a year.</summary>
internal sealed class CatalogueState
{
    public Dictionary<string, OccupationEntry> Entries { get; set; } = [];
}

/// <summary>A region's occupation demand catalogue for one year (R1).</summary>
[GrainType("occupation-catalogue")]
internal sealed class OccupationCatalogueGrain : Grain, IOccupationCatalogueGrain
{
    private readonly GrainServices _services;
    private readonly TransactionalState<CatalogueState> _state;

    public OccupationCatalogueGrain([PersistentState("catalogue")] IPersistentState<CatalogueState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    public Task<Result> PublishAsync(IReadOnlyList<OccupationEntry> entries)
    {
        if (entries is null)
        {
            return Task.FromResult(Result.Reject(RejectionCode.InvalidRequest, "Entries are required."));
        }

        if (entries.GroupBy(e => e?.Code).Any(g => g.Count() > 1))
        {
            return Task.FromResult(Result.Reject(RejectionCode.InvalidRequest, "Two entries share a code."));
        }

        return ChangeAsync(entries, replaceAll: true, removed: []);
    }

    public Task<Result> UpsertAsync(OccupationEntry entry) =>
        entry is null
            ? Task.FromResult(Result.Reject(RejectionCode.InvalidRequest, "An entry is required."))
            : ChangeAsync([entry], replaceAll: false, removed: []);

    public Task<Result> RemoveAsync(string code) =>
        !OccupationCode.IsValid(code)
            ? Task.FromResult(Result.Reject(RejectionCode.InvalidOccupationCode, $"'{code}' is not an occupation code."))
            : ChangeAsync([], replaceAll: false, removed: [code]);

    public Task<OccupationEntry?> GetAsync(string code) => Task.FromResult(code is null ? null : _state.State.Entries.GetValueOrDefault(code));

    public async Task<OccupationEntry?> ReadAsync(string code)
    {
        await _state.ReloadAsync();
        return await GetAsync(code);
    }

    public async Task<IReadOnlyList<OccupationEntry>> ListAsync()
    {
        await _state.ReloadAsync();
        return [.. _state.State.Entries.Values.OrderBy(e => e.Code, StringComparer.Ordinal)];
    }

    private async Task<Result> ChangeAsync(IReadOnlyList<OccupationEntry> upserted, bool replaceAll, IReadOnlyList<string> removed)
    {
        if (!TryParseKey(out var region, out var year))
        {
            return Result.Reject(RejectionCode.InvalidRequest, $"'{this.GetPrimaryKeyString()}' is not a catalogue key ({{region}}:{{year}}).");
        }

        foreach (var entry in upserted)
        {
            if (entry?.Validate() is { } problem)
            {
                return Result.Reject(OccupationCode.IsValid(entry.Code) ? RejectionCode.InvalidRequest : RejectionCode.InvalidOccupationCode, problem);
            }
        }

        // Made on what the store holds, again if another engine changed the catalogue in between.
        await _state.ChangeAsync(draft =>
        {
            var gone = removed;
            if (replaceAll)
            {
                gone = [.. draft.Entries.Keys.Except(upserted.Select(e => e.Code))];
                draft.Entries.Clear();
            }

            foreach (var code in gone)
            {
                draft.Entries.Remove(code);
            }

            foreach (var entry in upserted)
            {
                draft.Entries[entry.Code] = entry;
            }

            var changed = new CatalogueChanged { At = _services.Now, RegionCode = region, Year = year, Upserted = [.. upserted.Select(e => e.Code)], Removed = [.. gone] };
            return [EventSerializer.ToStream(Streams.Region(region), this.GetPrimaryKeyString(), changed)];
        });
        return Result.Ok;
    }

    private bool TryParseKey(out string region, out int year)
    {
        var key = this.GetPrimaryKeyString();
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        region = colon > 0 ? key[..colon] : "";
        year = 0;
        return colon > 0 && RegionCode.IsValid(region)
            && int.TryParse(key.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is >= 2000 and <= 2200;
    }
}
