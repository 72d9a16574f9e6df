namespace OrleansVoucher.Tests.Storage;

/// <summary>
/// The base of tests that run against one store per test: the concrete class creates it, and every
/// test's keys are of a grain type of its own, so tests never see each other's data.
/// </summary>
public abstract class StoreTestBase : IAsyncLifetime
{
    private readonly string _scope = Guid.NewGuid().ToString("N");

    protected IGrainStorage Storage { get; private set; } = null!;

    /// <summary>A name unique to the test, for its keys and streams.</summary>
    protected string Scope => _scope;

    public async Task InitializeAsync()
    {
        Storage = await CreateStorageAsync();
        await Storage.InitializeAsync(CancellationToken.None);
    }

    public virtual async Task DisposeAsync()
    {
        if (Storage is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>Creates a store (not yet initialized) for one test.</summary>
    protected abstract Task<IGrainStorage> CreateStorageAsync();

    protected GrainStateKey Key(string grainKey, string stateName = "state") => new("voucher-" + _scope, stateName, grainKey);
}
