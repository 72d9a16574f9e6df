namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>A grain whose state declares an expiry, for the sweep of expired states.</summary>
public interface IExpiringGrain : IGrainWithStringKey
{
    Task SetAsync(string value, DateTimeOffset? expiresAt);

    Task<long> GetVersionAsync();

    Task ClearAsync();
}

public sealed class ExpiringState : IExpiringState
{
    public string Value { get; set; } = "";

    public DateTimeOffset? ExpiresAt { get; set; }
}

[GrainType("expiring")]
public sealed class ExpiringGrain([PersistentState("expiring")] IPersistentState<ExpiringState> state) : Grain, IExpiringGrain
{
    public Task SetAsync(string value, DateTimeOffset? expiresAt)
    {
        state.State.Value = value;
        state.State.ExpiresAt = expiresAt;
        return state.WriteStateAsync();
    }

    public Task<long> GetVersionAsync() => Task.FromResult(state.Version);

    public Task ClearAsync() => state.ClearStateAsync();
}
