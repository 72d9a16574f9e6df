namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>
/// A grain whose activation hook waits for the signal <c>{key}:release:{attempt}</c> and then fails
/// while the counter <c>{key}:failing-attempts</c> is at least the attempt's number.
/// </summary>
public interface IFlakyActivationGrain : IGrainWithStringKey
{
    /// <summary>The activation attempt that is serving the call.</summary>
    Task<int> GetAttemptAsync();
}

public sealed class FlakyActivationGrain(GrainProbe probe) : Grain, IFlakyActivationGrain
{
    private int _attempt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _attempt = probe.Increment($"{key}:attempts");
        await probe.WhenSet($"{key}:release:{_attempt}");
        if (_attempt <= probe.Count($"{key}:failing-attempts"))
        {
            throw new GrainFaultException($"activation {_attempt} of {key} failed");
        }
    }

    public Task<int> GetAttemptAsync() => Task.FromResult(_attempt);
}
