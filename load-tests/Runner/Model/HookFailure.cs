namespace OrleansVoucher.LoadTests.Runner;

/// <summary>How the runner reports an exception from a hook.</summary>
public static class HookFailure
{
    /// <summary>Whether the exception's message is the whole story: a <see cref="ScenarioFailureException"/>, or the target could not be reached or did not answer in time.</summary>
    public static bool IsExplained(Exception exception) =>
        exception is ScenarioFailureException or HttpRequestException or TimeoutException;

    /// <summary>The exception's message, followed by its inner exceptions' where they add something.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var text = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
            {
                text += ": " + inner.Message;
            }
        }

        return text;
    }
}
