namespace OrleansVoucher.Silo;

/// <summary>
/// A grain call did not complete within the silo's response timeout: the grain is stuck, or the call
/// is part of a cycle of calls that wait for each other (A calls B calls A).
/// </summary>
public sealed class GrainCallTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public GrainCallTimeoutException(GrainId target, string method, TimeSpan timeout)
        : base($"The call {method} on grain {target} did not complete within {timeout.TotalSeconds:0.###} s. The grain may be stuck or waiting in a call cycle (a grain calling itself back through others).")
    {
        Target = target;
        Method = method;
        Timeout = timeout;
    }

    /// <summary>The grain called.</summary>
    public GrainId Target { get; }

    /// <summary>The method called.</summary>
    public string Method { get; }

    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }
}
