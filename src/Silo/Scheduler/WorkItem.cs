namespace OrleansVoucher.Silo.Scheduler;

/// <summary>A queued call whose grain method returns <see cref="Task{TResult}"/>.</summary>
internal sealed class WorkItem<T>(string methodName, Func<object, object?[], Task<T>> invoker, object?[] arguments)
    : TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously), IWorkItem
{
    public string MethodName => methodName;

    public Task CallerTask => Task;

    public Task Start(object grain) => invoker(grain, arguments);

    public void Complete(Task grainTask)
    {
        if (grainTask.IsCompletedSuccessfully)
        {
            TrySetResult(((Task<T>)grainTask).Result);
        }
        else
        {
            TaskOutcome.Forward(grainTask, this);
        }
    }

    public void Fail(Exception exception) => TrySetException(exception);
}
