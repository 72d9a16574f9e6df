using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>
/// Deletes, every <see cref="ExpiredStateSweepOptions.Interval"/>, the stored states of every registered
/// store whose declared expiry (<see cref="IExpiringState"/>) lies more than
/// <see cref="ExpiredStateSweepOptions.Grace"/> in the past, in batches of
/// <see cref="ExpiredStateSweepOptions.BatchSize"/>, each its own short transaction.
/// </summary>
/// <remarks>
/// <para>Why the grace makes the deletion safe. Deleting a row makes its key absent (version 0), and
/// correctness rests on version checks alone: an activation holding version v of the deleted row, in
/// this silo or another, must never write "expecting v" to a row re-created since, which may have
/// reached v again. So a row is deleted only when no activation can hold its version any more:</para>
/// <list type="bullet">
/// <item>An activation that is not called is deactivated by idle collection within
/// <see cref="SiloOptions.CollectionAge"/> + <see cref="SiloOptions.CollectionQuantum"/> (+ its
/// deactivation, within <see cref="SiloOptions.DeactivationTimeout"/>) of its last call.</item>
/// <item>An activation that is called after the state's expiry does not write on the strength of the
/// expired version: an expiring state's grain reads the state again, in the same call, before it
/// writes it once it has expired (see <see cref="IExpiringState"/>). A rewrite (a new version with a
/// later expiry) racing the sweep is decided by the database: the delete re-checks the expiry of the
/// row it locks, and a write expecting a deleted version fails as a lost race.</item>
/// </list>
/// <para>Hence a row expired for longer than that hold limit is held by no activation; the grace adds
/// <see cref="ExpiredStateSweepOptions.MinimumMargin"/> or more for silos whose clocks disagree and for
/// writes waiting in a batch, and <see cref="ExpiredStateSweepOptionsValidator"/> refuses to start with
/// less. Several silos may sweep one store at once: each skips the rows another has locked.</para>
/// <para>One window stays open: an activation that reads a row already past its grace (no sweep has
/// reached it yet) and writes it within the same call, while in that instant a sweep deletes the row
/// and another process re-creates it up to the same version. A short interval keeps rows from
/// lingering past their grace.</para>
/// </remarks>
public sealed partial class ExpiredStateSweeper(
    IServiceProvider services,
    IOptions<ExpiredStateSweepOptions> options,
    IOptions<SiloOptions> silo,
    TimeProvider timeProvider,
    SiloMetrics metrics,
    ILogger<ExpiredStateSweeper> logger) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            _loop = RunAsync(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>
    /// Runs one sweep now, whether or not the periodic sweep is enabled: deletes, from every registered
    /// store, the states expired before the clock's time minus the grace, batch after batch until a
    /// batch comes back short. Returns how many it deleted.
    /// </summary>
    /// <exception cref="InvalidOperationException">The grace period is too short for the silo's idle collection.</exception>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var least = ExpiredStateSweepOptionsValidator.LeastGrace(silo.Value);
        if (settings.Grace < least)
        {
            // The settings were checked at start only if the periodic sweep is enabled.
            throw new InvalidOperationException($"The grace period {settings.Grace} is shorter than {least}, which this silo's idle collection needs for deleting expired states safely.");
        }

        var expiredBefore = timeProvider.GetUtcNow() - settings.Grace;
        var total = 0L;
        foreach (var registration in services.GetServices<StorageRegistration>().DistinctBy(r => r.Name))
        {
            var storage = services.GetRequiredKeyedService<IGrainStorage>(registration.Name);
            var deleted = 0L;
            int batch;
            do
            {
                batch = await storage.DeleteExpiredAsync(expiredBefore, settings.BatchSize, cancellationToken).ConfigureAwait(false);
                deleted += batch;
                if (batch > 0)
                {
                    metrics.StatesSwept.Add(batch);
                }
            }
            while (batch == settings.BatchSize);

            if (deleted > 0)
            {
                Swept(logger, deleted, registration.Name, expiredBefore);
            }

            total += deleted;
        }

        return total;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await SweepAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // A store that is down now is swept at the next tick; nothing is lost by waiting.
                    SweepFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
