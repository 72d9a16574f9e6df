using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Scheduler;

namespace OrleansVoucher.Silo.Catalog;

internal sealed partial class ActivationData
{
    /// <summary>Constructs the grain, loads its states and runs its activation hook; then delivers queued calls.</summary>
    private async Task ActivateAsync()
    {
        // Leave the caller's thread at once: activation reads storage, and the caller's thread may be a
        // grain turn that must not be held up by another grain's activation.
        await Task.Yield();
        if (Runtime.MaxActivationAgeTicks > 0)
        {
            // The age runs from before the states are read: what they hold is at least that recent.
            _freshUntil = Runtime.TimeProvider.GetTimestamp() + Runtime.MaxActivationAgeTicks;
        }

        try
        {
            t_constructing = this;
            try
            {
                _grain = Runtime.Activator.CreateInstance(this);
            }
            finally
            {
                t_constructing = null;
            }

            var activationTimeout = Runtime.Options.ActivationTimeout;
            using var timeout = TimerLimit.CancelAfter(activationTimeout, Runtime.TimeProvider);
            try
            {
                // The hooks get the token, but one that ignores it must not hold the grain forever:
                // the activation stops waiting for them when the timeout passes.
                await Bounded(LoadAndActivateAsync(_grain, timeout.Token), timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Loading the states of {GrainId} and running its activation hook took longer than {activationTimeout}.");
            }
        }
        catch (Exception exception)
        {
            Runtime.Logger.ActivationFailed(exception, GrainId);
            var failure = new ActivationFailedException(GrainId, exception);
            foreach (var item in Retire())
            {
                item.Fail(failure);
            }

            return;
        }

        lock (this)
        {
            _state = ActivationState.Valid;
        }

        EndTurn(completed: null, countCall: false);
    }

    /// <summary>Loads the grain's states, then runs its activation hook.</summary>
    private async Task LoadAndActivateAsync(Grain grain, CancellationToken cancellationToken)
    {
        if (_participants is { } participants)
        {
            _participants = null;
            if (participants.Count == 1)
            {
                await participants[0].OnActivateAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Task.WhenAll(participants.Select(p => p.OnActivateAsync(cancellationToken))).ConfigureAwait(false);
            }
        }

        await grain.OnActivateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a hook until <paramref name="cancellationToken"/> fires. A hook abandoned that way keeps
    /// running on its own; its eventual failure is observed here so that it does not go unobserved.
    /// </summary>
    private static Task Bounded(Task hook, CancellationToken cancellationToken)
    {
        if (hook.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            return hook;
        }

        hook.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return hook.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Starts deactivating if the activation is valid, idle, was last active at or before
    /// <paramref name="idleSince"/> (a TimeProvider timestamp) and is not held (<see cref="Hold"/>).
    /// Returns the deactivation, or null.
    /// </summary>
    internal Task? TryCollect(long idleSince, DeactivationReason reason)
    {
        var now = Runtime.TimeProvider.GetTimestamp();
        lock (this)
        {
            if (_state != ActivationState.Valid || _running || _lastActive > idleSince || IsHeld(now))
            {
                return null;
            }

            _state = ActivationState.Deactivating;
            _running = true;
        }

        return DeactivateAsync(reason);
    }

    /// <summary>
    /// Deactivates the activation once it has no call running or queued: at once if it is idle, else
    /// when its activation or its last queued call completes. The returned task completes when the
    /// activation has left the catalog (at once for one that never started activating).
    /// </summary>
    internal Task DeactivateWhenIdleAsync(DeactivationReason reason)
    {
        lock (this)
        {
            switch (_state)
            {
                case ActivationState.Valid when !_running:
                    _state = ActivationState.Deactivating;
                    _running = true;
                    break;
                case ActivationState.Activating or ActivationState.Valid:
                    _deactivateWhenIdle ??= reason;
                    return (_deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                case ActivationState.Deactivating:
                    return (_deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                default:
                    return Task.CompletedTask;
            }
        }

        return DeactivateAsync(reason);
    }

    /// <summary>Runs the deactivation hook, leaves the catalog, and hands calls that were waiting to a new activation.</summary>
    private async Task DeactivateAsync(DeactivationReason reason)
    {
        if (_grain is { } grain)
        {
            try
            {
                using var timeout = TimerLimit.CancelAfter(Runtime.Options.DeactivationTimeout, Runtime.TimeProvider);
                await Bounded(grain.OnDeactivateAsync(reason, timeout.Token), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Runtime.Logger.DeactivationHookFailed(exception, GrainId);
            }
        }

        Runtime.Logger.Deactivated(GrainId, reason);
        if (reason == DeactivationReason.Aged)
        {
            Runtime.Metrics.ActivationsAged.Add(1);
        }

        foreach (var item in Retire())
        {
            Runtime.Catalog.Submit(this, item);
        }
    }

    /// <summary>Leaves the catalog for good and returns the calls that were still queued.</summary>
    private List<IWorkItem> Retire()
    {
        Runtime.Catalog.Remove(this);
        List<IWorkItem> pending;
        TaskCompletionSource? deactivated;
        lock (this)
        {
            _state = ActivationState.Invalid;
            pending = _queue is { Count: > 0 } queue ? [.. queue] : [];
            _queue = null;
            deactivated = _deactivated;
        }

        _grain = null;
        Runtime.Metrics.ActivationRemoved();
        deactivated?.TrySetResult();
        return pending;
    }
}
