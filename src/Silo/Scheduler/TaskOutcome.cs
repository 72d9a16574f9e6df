namespace OrleansVoucher.Silo.Scheduler;

/// <summary>Forwards a faulted or cancelled task's outcome to a completion source.</summary>
internal static class TaskOutcome
{
    public static void Forward<T>(Task completed, TaskCompletionSource<T> target)
    {
        if (completed.IsCanceled)
        {
            target.TrySetCanceled(CancellationOf(completed));
        }
        else
        {
            target.TrySetException(completed.Exception!.InnerExceptions);
        }
    }

    public static void Forward(Task completed, TaskCompletionSource target)
    {
        if (completed.IsCanceled)
        {
            target.TrySetCanceled(CancellationOf(completed));
        }
        else
        {
            target.TrySetException(completed.Exception!.InnerExceptions);
        }
    }

    private static CancellationToken CancellationOf(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e)
        {
            return e.CancellationToken;
        }

        return CancellationToken.None;
    }
}
