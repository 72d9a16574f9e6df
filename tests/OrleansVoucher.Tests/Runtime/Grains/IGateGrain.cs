namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>A grain whose calls wait on signals a test or other grains set, to show which calls run at once.</summary>
public interface IGateGrain : IGrainWithStringKey
{
    /// <summary>Sets the signal <c>{key}:entered</c>, then waits for the signal <paramref name="gate"/>; returns the key.</summary>
    Task<string> WaitAsync(string gate);

    /// <summary>
    /// Joins a rendezvous of <paramref name="parties"/> calls on the counter <paramref name="rendezvous"/>
    /// and returns once all of them are inside their grains at the same time.
    /// </summary>
    Task<string> GatherAsync(string rendezvous, int parties);

    /// <summary>Returns the key at once.</summary>
    Task<string> PingAsync();
}

public sealed class GateGrain(GrainProbe probe) : Grain, IGateGrain
{
    public async Task<string> WaitAsync(string gate)
    {
        probe.Set($"{this.GetPrimaryKeyString()}:entered");
        await probe.WhenSet(gate);
        return this.GetPrimaryKeyString();
    }

    public async Task<string> GatherAsync(string rendezvous, int parties)
    {
        probe.Increment(rendezvous);
        await probe.WhenCount(rendezvous, parties);
        return this.GetPrimaryKeyString();
    }

    public Task<string> PingAsync() => Task.FromResult(this.GetPrimaryKeyString());
}
