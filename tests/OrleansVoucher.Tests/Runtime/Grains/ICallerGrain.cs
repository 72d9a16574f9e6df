namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>Calls other grains, by key or through a reference it was given.</summary>
public interface ICallerGrain : IGrainWithStringKey
{
    Task<int> IncrementCounterAsync(string counterKey);

    /// <summary>Increments the counter behind <paramref name="counter"/> and returns its key and new value.</summary>
    Task<(string Key, int Value)> IncrementThroughAsync(ICounterGrain counter);
}

public sealed class CallerGrain : Grain, ICallerGrain
{
    public Task<int> IncrementCounterAsync(string counterKey) => GrainFactory.GetGrain<ICounterGrain>(counterKey).IncrementAsync();

    public async Task<(string Key, int Value)> IncrementThroughAsync(ICounterGrain counter) =>
        (counter.GetPrimaryKeyString(), await counter.IncrementAsync());
}
