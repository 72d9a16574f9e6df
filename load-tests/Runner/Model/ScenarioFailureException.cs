namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// A hook failed for a reason its message states in full — the target refused a request, an invariant
/// broke —, not a fault of the hook: the runner reports the message alone, without a stack trace.
/// </summary>
public class ScenarioFailureException(string message) : Exception(message);
