namespace OrleansVoucher.LoadTests.Runner;

/// <summary>A scenario's init hook threw; the run cannot go on. The message names the scenario and says why.</summary>
public sealed class ScenarioInitException(string scenario, Exception inner)
    : Exception($"the init hook of {scenario} failed: {HookFailure.Describe(inner)}", inner)
{
    /// <summary>Whether the message says all there is to say (the target refused, or could not be reached), so no stack trace is worth printing.</summary>
    public bool IsExplained => HookFailure.IsExplained(InnerException!);
}
