namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>Calls an <see cref="ITurnProbeGrain"/> many times at once from inside a grain call.</summary>
public interface ITurnCallerGrain : IGrainWithStringKey
{
    Task EnterManyAsync(string probeKey, int count);
}

public sealed class TurnCallerGrain : Grain, ITurnCallerGrain
{
    public Task EnterManyAsync(string probeKey, int count)
    {
        var target = GrainFactory.GetGrain<ITurnProbeGrain>(probeKey);
        return Task.WhenAll(Enumerable.Range(0, count).Select(i => target.EnterAsync(suspend: i % 2 == 1)));
    }
}
