using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansVoucher.Silo.Catalog;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Invocation;
using OrleansVoucher.Silo.Scheduler;

namespace OrleansVoucher.Silo;

/// <summary>
/// A silo: the grain runtime of one process. It owns the activation catalog, delivers calls, collects
/// idle activations, and on shutdown deactivates every activation before its stores close. Several
/// silos (processes) may share one database: they coordinate through the stores' version checks, not
/// through each other.
/// </summary>
public sealed partial class SiloRuntime : IHostedService, IAsyncDisposable
{
    private readonly ActivationCollector _collector;
    private readonly bool _responseTimeoutBounded;
    private readonly GrainFactory _grainFactory;

    /// <summary>Creates a silo; the host's DI container does this.</summary>
    public SiloRuntime(
        IOptions<SiloOptions> options,
        GrainTypeRegistry registry,
        IServiceProvider services,
        TimeProvider timeProvider,
        SiloMetrics metrics,
        ILogger<SiloRuntime> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        _responseTimeoutBounded = TimerLimit.IsBounded(Options.ResponseTimeout);
        Registry = registry;
        TimeProvider = timeProvider;
        MaxActivationAgeTicks = Options.MaxActivationAge > TimeSpan.Zero ? ToTimestampTicks(Options.MaxActivationAge) : 0;
        Metrics = metrics;
        Logger = logger;
        Catalog = new GrainCatalog(this);
        Activator = new GrainActivator(services);
        _grainFactory = new GrainFactory(this);
        _collector = new ActivationCollector(this);
    }

    /// <summary>Hands out grain references.</summary>
    public IGrainFactory GrainFactory => _grainFactory;

    /// <summary>The number of resident activations.</summary>
    public long ActivationCount => Metrics.ActivationCount;

    internal SiloOptions Options { get; }

    /// <summary><see cref="SiloOptions.MaxActivationAge"/> in TimeProvider timestamp ticks; 0 for no bound.</summary>
    internal long MaxActivationAgeTicks { get; }

    internal GrainTypeRegistry Registry { get; }

    internal GrainCatalog Catalog { get; }

    internal GrainActivator Activator { get; }

    internal TimeProvider TimeProvider { get; }

    internal SiloMetrics Metrics { get; }

    internal ILogger Logger { get; }

    /// <summary>Whether the grain behind a reference has an activation in this silo.</summary>
    public bool IsActive(IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(grain);
        return Catalog.IsActive(grain.GrainId);
    }

    /// <summary>
    /// Whether the grain of <typeparamref name="TGrainInterface"/> with key <paramref name="key"/> has an
    /// activation in this silo (one still loading its states counts), without making a reference to it.
    /// A caller that writes a grain's state without calling the grain learns from this whether an
    /// activation may hold an older copy.
    /// </summary>
    public bool IsActive<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey => Catalog.IsActive(_grainFactory.IdOf<TGrainInterface>(key));

    /// <summary>
    /// Deactivates every activation idle for at least <paramref name="idleFor"/> and returns how many
    /// (Orleans' <c>ForceActivationCollection</c>). Idle collection does this on its own every
    /// <see cref="SiloOptions.CollectionQuantum"/> with <see cref="SiloOptions.CollectionAge"/>.
    /// </summary>
    public Task<int> CollectIdleActivationsAsync(TimeSpan idleFor) => _collector.CollectIdleAsync(idleFor);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _collector.Start();
        Logger.Started(string.Join(", ", Registry.GrainTypes.Select(t => t.Name)));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Logger.Stopping(ActivationCount);
        await _collector.StopAsync().ConfigureAwait(false);
        try
        {
            await _collector.DeactivateAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host has stopped waiting (a call is stuck): stop anyway rather than fail the shutdown.
            StoppedWithBusyActivations(Logger, ActivationCount);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _collector.DisposeAsync();

    /// <summary>Notes a new activation and asks for collection when the silo holds more than it may.</summary>
    internal void OnActivationCreated()
    {
        Metrics.ActivationAdded();
        Metrics.ActivationsCreated.Add(1);
        if (Options.MaxActivations > 0 && Metrics.ActivationCount > Options.MaxActivations)
        {
            _collector.SignalPressure();
        }
    }

    /// <summary>
    /// <paramref name="span"/> in <see cref="TimeProvider"/> timestamp ticks, at most a quarter of the
    /// timestamp's range, so that adding it to a timestamp cannot overflow.
    /// </summary>
    internal long ToTimestampTicks(TimeSpan span) => (long)Math.Min(span.TotalSeconds * TimeProvider.TimestampFrequency, long.MaxValue / 4);

    /// <summary>Bounds a caller's wait for a call that did not complete at once.</summary>
    internal Task<T> WithResponseTimeout<T>(Task<T> task, GrainId target, string method) =>
        task.IsCompleted || !_responseTimeoutBounded ? task : AwaitWithTimeout(task, target, method);

    /// <summary>Bounds a caller's wait for a call that did not complete at once.</summary>
    internal Task WithResponseTimeout(Task task, GrainId target, string method) =>
        task.IsCompleted || !_responseTimeoutBounded ? task : AwaitWithTimeout(task, target, method);

    private async Task<T> AwaitWithTimeout<T>(Task<T> task, GrainId target, string method)
    {
        try
        {
            return await task.WaitAsync(Options.ResponseTimeout, TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException exception) when (!IsFaultOf(task, exception))
        {
            throw new GrainCallTimeoutException(target, method, Options.ResponseTimeout);
        }
    }

    private async Task AwaitWithTimeout(Task task, GrainId target, string method)
    {
        try
        {
            await task.WaitAsync(Options.ResponseTimeout, TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException exception) when (!IsFaultOf(task, exception))
        {
            throw new GrainCallTimeoutException(target, method, Options.ResponseTimeout);
        }
    }

    /// <summary>
    /// Whether a timeout caught while waiting for a call is the call's own failure (a grain that threw a
    /// TimeoutException) rather than the wait running out. Checking the task's exception rather than
    /// whether the task has completed matters: the call may complete, or fail, just after the wait ran
    /// out, and the caller must still see a <see cref="GrainCallTimeoutException"/>.
    /// </summary>
    private static bool IsFaultOf(Task task, TimeoutException exception) =>
        task.IsFaulted && task.Exception!.InnerExceptions.Contains(exception);
}
