using OrleansVoucher.Silo;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.LoadTests.Benchmarks.Runtime;

/// <summary>The smallest useful grain: a call does trivial work and completes at once.</summary>
public interface IPingGrain : IGrainWithStringKey
{
    Task PingAsync();

    /// <summary>How many pings this activation received, to check that every counted call arrived.</summary>
    Task<int> GetPingsAsync();
}

[GrainType("bench-ping")]
public sealed class PingGrain : Grain, IPingGrain
{
    private int _pings;

    public Task PingAsync()
    {
        _pings++;
        return Task.CompletedTask;
    }

    public Task<int> GetPingsAsync() => Task.FromResult(_pings);
}

/// <summary>A small persistent state: one number, like a counter or a balance.</summary>
public sealed class SmallState
{
    public int Value { get; set; }
}

/// <summary>A resident grain with a small persistent state, for memory per activation.</summary>
public interface ISmallStateGrain : IGrainWithStringKey
{
    Task<int> GetAsync();
}

[GrainType("bench-small-state")]
public sealed class SmallStateGrain([PersistentState("small")] IPersistentState<SmallState> state) : Grain, ISmallStateGrain
{
    public Task<int> GetAsync() => Task.FromResult(state.State.Value);
}

/// <summary>A grain whose every call changes its state and writes it durably before returning.</summary>
public interface IWriterGrain : IGrainWithStringKey
{
    /// <summary>Increments the state, writes it, and returns the stored version.</summary>
    Task<long> IncrementAsync();
}

[GrainType("bench-writer")]
public sealed class WriterGrain([PersistentState("counter")] IPersistentState<SmallState> state) : Grain, IWriterGrain
{
    public async Task<long> IncrementAsync()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.Version;
    }
}
