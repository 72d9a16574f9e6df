namespace OrleansVoucher.Silo.Storage;

/// <summary>Conveniences over <see cref="IGrainStorage"/>.</summary>
public static class GrainStorageExtensions
{
    /// <summary>Commits one conditional write and returns the new version.</summary>
    public static async Task<long> WriteAsync(this IGrainStorage storage, StateWrite write, CancellationToken cancellationToken = default)
    {
        var versions = await storage.CommitAsync(WriteUnit.Of(write), cancellationToken).ConfigureAwait(false);
        return versions[0];
    }
}
