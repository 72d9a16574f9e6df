namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>Throws on request and returns every task shape a grain method may have.</summary>
public interface IFaultyGrain : IGrainWithStringKey
{
    /// <summary>Throws a <see cref="GrainFaultException"/>, before or after the call suspended.</summary>
    Task ThrowAsync(string message, bool afterSuspension);

    /// <summary>Throws a <see cref="GrainFaultException"/> after the call suspended.</summary>
    Task<int> ThrowWithResultAsync(string message);

    /// <summary>Throws a <see cref="TimeoutException"/> of its own after the call suspended.</summary>
    Task ThrowTimeoutAsync(string message);

    /// <summary>Completes synchronously.</summary>
    ValueTask<int> AddAsync(int a, int b);

    /// <summary>Completes after a suspension.</summary>
    ValueTask<int> AddLaterAsync(int a, int b);

    ValueTask TouchAsync(bool suspend);

    ValueTask ThrowValueTaskAsync(string message, bool afterSuspension);

    ValueTask<int> ThrowValueTaskWithResultAsync(string message);

    /// <summary>Calls that ran to completion on this activation.</summary>
    Task<int> GetCallsAsync();

    /// <summary>The key as the grain sees it.</summary>
    Task<string> GetKeyAsync();

    /// <summary>Waits for the signal <paramref name="gate"/> inside a call.</summary>
    Task HoldAsync(string gate);
}

public sealed class GrainFaultException(string message) : Exception(message);

public sealed class FaultyGrain(GrainProbe probe) : Grain, IFaultyGrain
{
    private int _calls;

    public async Task ThrowAsync(string message, bool afterSuspension)
    {
        if (afterSuspension)
        {
            await Task.Yield();
        }

        throw Fault(message);
    }

    public async Task<int> ThrowWithResultAsync(string message)
    {
        await Task.Yield();
        throw Fault(message);
    }

    public async Task ThrowTimeoutAsync(string message)
    {
        await Task.Yield();
        var timeout = new TimeoutException(message);
        probe.Keep(message, timeout);
        throw timeout;
    }

    public ValueTask<int> AddAsync(int a, int b)
    {
        _calls++;
        return ValueTask.FromResult(a + b);
    }

    public async ValueTask<int> AddLaterAsync(int a, int b)
    {
        await Task.Yield();
        _calls++;
        return a + b;
    }

    public async ValueTask TouchAsync(bool suspend)
    {
        if (suspend)
        {
            await Task.Yield();
        }

        _calls++;
    }

    public async ValueTask ThrowValueTaskAsync(string message, bool afterSuspension)
    {
        if (afterSuspension)
        {
            await Task.Yield();
        }

        throw Fault(message);
    }

    public async ValueTask<int> ThrowValueTaskWithResultAsync(string message)
    {
        await Task.Yield();
        throw Fault(message);
    }

    public Task<int> GetCallsAsync() => Task.FromResult(_calls);

    public Task<string> GetKeyAsync() => Task.FromResult(this.GetPrimaryKeyString());

    public async Task HoldAsync(string gate)
    {
        probe.Set($"{this.GetPrimaryKeyString()}:holding");
        await probe.WhenSet(gate);
        _calls++;
    }

    private GrainFaultException Fault(string message)
    {
        var fault = new GrainFaultException(message);
        probe.Keep(message, fault);
        return fault;
    }
}
