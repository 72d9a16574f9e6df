namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>Calls bounce between grains; with enough hops a call comes back to a grain still waiting for it.</summary>
public interface ICycleGrain : IGrainWithStringKey
{
    /// <summary>
    /// Returns the keys visited, joined by '>': this grain's, then those of a call with
    /// <paramref name="hops"/> - 1 hops to <paramref name="next"/>, which calls back this grain.
    /// </summary>
    Task<string> CallAsync(string next, int hops);
}

public sealed class CycleGrain(GrainProbe probe) : Grain, ICycleGrain
{
    public async Task<string> CallAsync(string next, int hops)
    {
        var key = this.GetPrimaryKeyString();
        if (hops == 0)
        {
            return key;
        }

        var call = GrainFactory.GetGrain<ICycleGrain>(next).CallAsync(key, hops - 1);
        probe.Set($"{key}:called:{next}:{hops}");
        return $"{key}>{await call}";
    }
}
