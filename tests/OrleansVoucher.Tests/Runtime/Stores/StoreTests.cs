namespace OrleansVoucher.Tests.Runtime.Stores;

/// <summary>
/// Base of tests that run on every store: a subclass per provider creates the store each test runs its
/// silos on.
/// </summary>
public abstract class StoreTests : IAsyncLifetime
{
    private TestStore? _store;

    protected TestStore Store => _store ?? throw new InvalidOperationException("The store is created when the test starts.");

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    protected abstract Task<TestStore> CreateStoreAsync();
}
