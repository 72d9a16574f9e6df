namespace OrleansVoucher.Silo.Scheduler;

/// <summary>A queued call whose grain method returns <see cref="Task"/>.</summary>
internal sealed class VoidWorkItem(string methodName, Func<object, object?[], Task> invoker, object?[] arguments)
    : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), IWorkItem
{
    public string MethodName => methodName;

    public Task CallerTask => Task;

    public Task Start(object grain) => invoker(grain, arguments);

    public void Complete(Task grainTask)
    {
        if (grainTask.IsCompletedSuccessfully)
        {
            TrySetResult();
        }
        else
        {
            TaskOutcome.Forward(grainTask, this);
        }
    }

    public void Fail(Exception exception) => TrySetException(exception);
}
