using System.Collections.Concurrent;

namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>
/// A per-silo service through which test grains report what happened inside them (constructions, hooks,
/// entries) and wait for gates a test opens. Signals and counters are named; a test waits on them with
/// tasks instead of sleeping.
/// </summary>
public sealed class GrainProbe
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly List<(string Name, int Target, TaskCompletionSource Reached)> _countWaiters = [];
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<string, object> _kept = new(StringComparer.Ordinal);

    /// <summary>Everything grains reported with <see cref="Record"/>, in order.</summary>
    public IReadOnlyCollection<string> Events => _events;

    /// <summary>Completes the signal <paramref name="name"/>.</summary>
    public void Set(string name) => SignalFor(name).TrySetResult();

    /// <summary>Completes when the signal <paramref name="name"/> is set.</summary>
    public Task WhenSet(string name) => SignalFor(name).Task;

    /// <summary>Whether the signal <paramref name="name"/> is set.</summary>
    public bool IsSet(string name) => SignalFor(name).Task.IsCompleted;

    /// <summary>Appends to <see cref="Events"/>.</summary>
    public void Record(string text) => _events.Enqueue(text);

    /// <summary>Keeps an object a grain made (an exception it threw) for the test to compare with what it received.</summary>
    public void Keep(string name, object value) => _kept[name] = value;

    /// <summary>The object kept as <paramref name="name"/>.</summary>
    public T Kept<T>(string name) => (T)_kept[name];

    /// <summary>Adds one to the counter <paramref name="name"/> and returns its new value.</summary>
    public int Increment(string name)
    {
        List<TaskCompletionSource>? reached = null;
        int value;
        lock (_counters)
        {
            value = _counters[name] = _counters.GetValueOrDefault(name) + 1;
            for (var i = _countWaiters.Count - 1; i >= 0; i--)
            {
                if (_countWaiters[i].Name == name && value >= _countWaiters[i].Target)
                {
                    (reached ??= []).Add(_countWaiters[i].Reached);
                    _countWaiters.RemoveAt(i);
                }
            }
        }

        reached?.ForEach(r => r.TrySetResult());
        return value;
    }

    /// <summary>The counter <paramref name="name"/>.</summary>
    public int Count(string name)
    {
        lock (_counters)
        {
            return _counters.GetValueOrDefault(name);
        }
    }

    /// <summary>Completes when the counter <paramref name="name"/> reaches <paramref name="target"/>.</summary>
    public Task WhenCount(string name, int target)
    {
        lock (_counters)
        {
            if (_counters.GetValueOrDefault(name) >= target)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _countWaiters.Add((name, target, reached));
            return reached.Task;
        }
    }

    private TaskCompletionSource SignalFor(string name) =>
        _signals.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
