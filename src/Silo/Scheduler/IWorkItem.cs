namespace OrleansVoucher.Silo.Scheduler;

/// <summary>A grain call waiting in an activation's queue for its turn.</summary>
internal interface IWorkItem
{
    /// <summary>The method's name, for errors and logs.</summary>
    string MethodName { get; }

    /// <summary>Starts the call on the grain and returns the grain's task; runs on the activation's turn.</summary>
    Task Start(object grain);

    /// <summary>Completes the caller's task with the outcome of the grain's task.</summary>
    void Complete(Task grainTask);

    /// <summary>Fails the caller's task without running the call.</summary>
    void Fail(Exception exception);

    /// <summary>The caller's task.</summary>
    Task CallerTask { get; }
}
