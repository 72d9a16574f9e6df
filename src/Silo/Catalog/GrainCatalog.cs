using System.Collections.Concurrent;
using OrleansVoucher.Silo.Scheduler;

namespace OrleansVoucher.Silo.Catalog;

/// <summary>
/// The directory of this silo's activations: at most one per grain. A call that finds an activation
/// on its way out waits for it to leave and goes to the grain's next activation.
/// </summary>
internal sealed class GrainCatalog(SiloRuntime runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();

    /// <summary>The activation of <paramref name="grainId"/>, created (not yet activated) if there is none.</summary>
    public ActivationData GetOrCreate(GrainId grainId) =>
        _activations.TryGetValue(grainId, out var activation)
            ? activation
            : _activations.GetOrAdd(grainId, static (id, rt) => new ActivationData(id, rt), runtime);

    /// <summary>Removes an activation, if it is still the grain's current one.</summary>
    public void Remove(ActivationData activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));

    /// <summary>Whether the grain has an activation in this silo.</summary>
    public bool IsActive(GrainId grainId) => _activations.ContainsKey(grainId);

    /// <summary>Enumerates the activations without locking the directory.</summary>
    public IEnumerable<ActivationData> Activations
    {
        get
        {
            foreach (var pair in _activations)
            {
                yield return pair.Value;
            }
        }
    }

    /// <summary>
    /// Queues a call on <paramref name="activation"/>, or, if it is deactivating, on the grain's next
    /// activation once it has gone.
    /// </summary>
    public void Submit(ActivationData activation, IWorkItem item)
    {
        while (true)
        {
            var wait = activation.TryEnqueue(item);
            if (wait is null)
            {
                return;
            }

            if (!wait.IsCompleted)
            {
                var grainId = activation.GrainId;
                wait.ContinueWith(
                    static (_, state) =>
                    {
                        var (catalog, id, workItem) = ((GrainCatalog, GrainId, IWorkItem))state!;
                        catalog.Submit(catalog.GetOrCreate(id), workItem);
                    },
                    (this, grainId, item),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                return;
            }

            activation = GetOrCreate(activation.GrainId);
        }
    }
}
