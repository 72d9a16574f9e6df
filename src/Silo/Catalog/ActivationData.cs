using System.Diagnostics;
using OrleansVoucher.Silo.Scheduler;

namespace OrleansVoucher.Silo.Catalog;

/// <summary>
/// One activation of a grain in this silo: the grain instance, its queue of waiting calls and its
/// life cycle. Calls are turn-based: a call holds the activation from its start until its task
/// completes, across awaits; calls that arrive meanwhile queue in order. When the activation is idle a
/// call runs inline on the caller's thread, so an uncontended call costs no thread hop; queued calls
/// run on the thread pool, one after another.
/// </summary>
/// <remarks>
/// The activation locks on itself (it is internal and never handed out) to keep the per-activation
/// footprint to one object; every critical section is a handful of field updates.
/// </remarks>
internal sealed partial class ActivationData : IThreadPoolWorkItem
{
    [ThreadStatic]
    private static ActivationData? t_constructing;

    private ActivationState _state;
    private bool _running;
    private DeactivationReason? _deactivationRequest;
    private DeactivationReason? _deactivateWhenIdle;
    private Queue<IWorkItem>? _queue;
    private Grain? _grain;
    private List<IActivationLifecycleParticipant>? _participants;
    private TaskCompletionSource? _deactivated;
    private long _lastActive;
    private long _turnStart;
    private long _freshUntil = long.MaxValue;
    private int _holds;
    private long _heldUntil;

    public ActivationData(GrainId grainId, SiloRuntime runtime)
    {
        GrainId = grainId;
        Runtime = runtime;
    }

    /// <summary>The activation whose grain is being constructed on this thread, for <see cref="Grain"/>'s constructor.</summary>
    internal static ActivationData? Constructing => t_constructing;

    public GrainId GrainId { get; }

    public SiloRuntime Runtime { get; }

    /// <summary>The TimeProvider timestamp of the end of the last turn.</summary>
    public long LastActive => Volatile.Read(ref _lastActive);

    /// <summary>Whether the activation can no longer take calls (a hint read without the lock).</summary>
    public bool IsDefunct => _state >= ActivationState.Deactivating;

    /// <summary>Registers a participant (a persistent state) to be loaded before the first call.</summary>
    internal void AddLifecycleParticipant(IActivationLifecycleParticipant participant) => (_participants ??= []).Add(participant);

    /// <summary>Calls a grain method returning <see cref="Task{TResult}"/>.</summary>
    public Task<T> InvokeAsync<T>(string methodName, Func<object, object?[], Task<T>> invoker, object?[] arguments)
    {
        if (TryEnterIdle())
        {
            Task<T> task;
            try
            {
                task = invoker(_grain!, arguments);
            }
            catch (Exception exception)
            {
                task = Task.FromException<T>(exception);
            }

            if (task.IsCompleted)
            {
                EndTurn(task, countCall: true);
                return task;
            }

            EndTurnWhenDone(task);
            return Runtime.WithResponseTimeout(task, GrainId, methodName);
        }

        var item = new WorkItem<T>(methodName, invoker, arguments);
        Runtime.Catalog.Submit(this, item);
        return Runtime.WithResponseTimeout(item.Task, GrainId, methodName);
    }

    /// <summary>Calls a grain method returning <see cref="Task"/>.</summary>
    public Task InvokeAsync(string methodName, Func<object, object?[], Task> invoker, object?[] arguments)
    {
        if (TryEnterIdle())
        {
            Task task;
            try
            {
                task = invoker(_grain!, arguments);
            }
            catch (Exception exception)
            {
                task = Task.FromException(exception);
            }

            if (task.IsCompleted)
            {
                EndTurn(task, countCall: true);
                return task;
            }

            EndTurnWhenDone(task);
            return Runtime.WithResponseTimeout(task, GrainId, methodName);
        }

        var item = new VoidWorkItem(methodName, invoker, arguments);
        Runtime.Catalog.Submit(this, item);
        return Runtime.WithResponseTimeout(item.Task, GrainId, methodName);
    }

    /// <summary>
    /// Takes the activation for an inline call if it is active, idle and not past its age; one past its
    /// age starts deactivating, and the caller queues the call for the grain's next activation.
    /// </summary>
    private bool TryEnterIdle()
    {
        bool aged;
        lock (this)
        {
            if (_state != ActivationState.Valid || _running)
            {
                return false;
            }

            _running = true;
            aged = DeactivatingIfAged();
        }

        if (aged)
        {
            _ = DeactivateAsync(DeactivationReason.Aged);
            return false;
        }

        _turnStart = Runtime.Metrics.CallDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        return true;
    }

    /// <summary>
    /// Moves the activation to deactivating, and answers true, when it has served calls for longer than
    /// the silo's maximum activation age and holds nothing that would be lost with it (see
    /// <see cref="Hold"/>). Called under the lock, by whoever has just taken the activation's turn.
    /// </summary>
    private bool DeactivatingIfAged()
    {
        if (_freshUntil == long.MaxValue)
        {
            return false;
        }

        var now = Runtime.TimeProvider.GetTimestamp();
        if (now < _freshUntil || IsHeld(now))
        {
            return false;
        }

        _state = ActivationState.Deactivating;
        return true;
    }

    /// <summary>Whether a hold keeps the activation from being replaced or collected for room. Called under the lock.</summary>
    private bool IsHeld(long now) => _holds > 0 && now < _heldUntil;

    /// <summary>
    /// Keeps the activation from being replaced for its age, or collected, until as many
    /// <see cref="Release"/>s, or for <paramref name="lease"/> at most: a persistent state holding a
    /// transaction's draft whose outcome it has not heard yet (an activation that dropped it would turn
    /// the outcome into a reload). Shutdown is not held up.
    /// </summary>
    internal void Hold(TimeSpan lease)
    {
        var until = Runtime.TimeProvider.GetTimestamp() + Runtime.ToTimestampTicks(lease);
        lock (this)
        {
            _holds++;
            _heldUntil = Math.Max(_heldUntil, until);
        }
    }

    /// <summary>Ends a <see cref="Hold"/>.</summary>
    internal void Release()
    {
        lock (this)
        {
            if (_holds > 0 && --_holds == 0)
            {
                _heldUntil = 0;
            }
        }
    }

    /// <summary>
    /// Queues a call. Returns null when accepted, or a task that completes when this activation is gone,
    /// after which the caller submits the call to the grain's next activation.
    /// </summary>
    internal Task? TryEnqueue(IWorkItem item)
    {
        var activate = false;
        var schedule = false;
        Task? aged = null;
        lock (this)
        {
            switch (_state)
            {
                case ActivationState.Created:
                    _state = ActivationState.Activating;
                    _running = true;
                    activate = true;
                    break;
                case ActivationState.Activating:
                    break;
                case ActivationState.Valid:
                    if (!_running)
                    {
                        _running = true;
                        if (DeactivatingIfAged())
                        {
                            aged = (_deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                            break;
                        }

                        schedule = true;
                    }

                    break;
                case ActivationState.Deactivating:
                    return (_deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                default:
                    return Task.CompletedTask;
            }

            if (aged is null)
            {
                (_queue ??= new Queue<IWorkItem>(2)).Enqueue(item);
            }
        }

        if (aged is not null)
        {
            _ = DeactivateAsync(DeactivationReason.Aged);
            return aged;
        }

        if (activate)
        {
            Runtime.OnActivationCreated();
            _ = ActivateAsync();
        }
        else if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        return null;
    }

    /// <summary>Runs the next queued call; the activation is already marked running.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        IWorkItem item;
        lock (this)
        {
            item = _queue!.Dequeue();
        }

        _turnStart = Runtime.Metrics.CallDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        Task task;
        try
        {
            task = item.Start(_grain!);
        }
        catch (Exception exception)
        {
            task = Task.FromException(exception);
        }

        if (task.IsCompleted)
        {
            EndTurn(task, countCall: true);
            item.Complete(task);
            return;
        }

        task.ContinueWith(
            static (completed, state) =>
            {
                var (activation, workItem) = ((ActivationData, IWorkItem))state!;
                activation.EndTurn(completed, countCall: true);
                workItem.Complete(completed);
            },
            (this, item),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void EndTurnWhenDone(Task task) =>
        task.ContinueWith(
            static (completed, state) => ((ActivationData)state!).EndTurn(completed, countCall: true),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>Ends the current turn and hands the activation to the next queued call, or to deactivation.</summary>
    private void EndTurn(Task? completed, bool countCall)
    {
        if (countCall)
        {
            RecordCall(completed!);
        }

        DeactivationReason? deactivate = null;
        var schedule = false;
        var now = Runtime.TimeProvider.GetTimestamp();
        lock (this)
        {
            _lastActive = now;
            if (_deactivationRequest is { } reason)
            {
                _state = ActivationState.Deactivating;
                deactivate = reason;
            }
            else if (_queue is { Count: > 0 })
            {
                // A busy activation past its age hands its queued calls to a fresh one.
                if (DeactivatingIfAged())
                {
                    deactivate = DeactivationReason.Aged;
                }
                else
                {
                    schedule = true;
                }
            }
            else if (_deactivateWhenIdle is { } whenIdle)
            {
                _state = ActivationState.Deactivating;
                deactivate = whenIdle;
            }
            else
            {
                _running = false;
            }
        }

        if (deactivate is { } why)
        {
            _ = DeactivateAsync(why);
        }
        else if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private void RecordCall(Task completed)
    {
        var metrics = Runtime.Metrics;
        metrics.Calls.Add(1);
        if (!completed.IsCompletedSuccessfully)
        {
            metrics.CallFailures.Add(1);
        }

        if (_turnStart != 0)
        {
            metrics.CallDuration.Record(Stopwatch.GetElapsedTime(_turnStart).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Asks for deactivation at the end of the current turn: by the grain, or by a persistent state
    /// whose write failed and whose in-memory copy can no longer be trusted.
    /// </summary>
    internal void RequestDeactivation(DeactivationReason reason)
    {
        lock (this)
        {
            _deactivationRequest ??= reason;
        }
    }
}
