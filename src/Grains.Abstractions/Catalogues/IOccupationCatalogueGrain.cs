namespace OrleansVoucher.Grains.Catalogues;

/// <summary>
/// A region's occupation demand catalogue for one year (R1), keyed <c>{region}:{year}</c> (see
/// <see cref="OccupationCatalogue.KeyFor"/>). Published at least yearly and adjusted as demand changes.
/// </summary>
public interface IOccupationCatalogueGrain : IGrainWithStringKey
{
    /// <summary>Publishes the whole catalogue, replacing what was there.</summary>
    Task<Result> PublishAsync(IReadOnlyList<OccupationEntry> entries);

    /// <summary>Adds an occupation or replaces the one with its code.</summary>
    Task<Result> UpsertAsync(OccupationEntry entry);

    /// <summary>Removes an occupation (a low-value programme moved out of the catalogue).</summary>
    Task<Result> RemoveAsync(string code);

    /// <summary>The occupation with <paramref name="code"/>, or null, as this activation last read the catalogue.</summary>
    Task<OccupationEntry?> GetAsync(string code);

    /// <summary>
    /// The occupation with <paramref name="code"/>, or null, as the store holds the catalogue now: for a
    /// refusal or an answer that must not lag behind a change made through another engine.
    /// </summary>
    Task<OccupationEntry?> ReadAsync(string code);

    /// <summary>Every occupation, by code, as the store holds the catalogue now.</summary>
    Task<IReadOnlyList<OccupationEntry>> ListAsync();
}

/// <summary>Keys of <see cref="IOccupationCatalogueGrain"/>.</summary>
public static class OccupationCatalogue
{
    /// <summary>The key of <paramref name="regionCode"/>'s catalogue for <paramref name="year"/>.</summary>
    public static string KeyFor(string regionCode, int year) => $"{regionCode}:{year}";
}
