using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>
/// Runs bulk jobs in this engine: finds unfinished jobs in the registry, takes a job's lease, and issues
/// its chunks in order through the campaign's issuers, a few chunks at a time, recording each chunk's
/// outcome with the job's counters in one unit. A job interrupted anywhere (a crash, a lost lease) is
/// resumed from its recorded chunks; rows issued before their chunk was recorded are recognized by the
/// workers and answered with the voucher they already hold, so nothing is issued twice.
/// </summary>
internal sealed partial class BulkJobRunner : BackgroundService, IBulkJobQueue
{
    private const int RetryRounds = 20;

    /// <summary>The longest a job that keeps stopping at errors waits before this runner tries it again.</summary>
    private static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromMinutes(5);

    private readonly IGrainFactory _grains;
    private readonly BulkIssuanceOptions _options;
    private readonly ILogger<BulkJobRunner> _logger;
    private readonly TimeProvider _time;
    private readonly BulkIssuanceMetrics _metrics;
    private readonly string _runnerId = Guid.NewGuid().ToString("N");

    // The jobs this runner is working on. Only the poll loop reads or changes it: a job's run never
    // removes itself (had it, a run that ended before the loop stored it — a job still receiving its
    // upload answers at once — would have been stored after its removal, and the job never run again).
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);

    // Runs of each job that stopped at an error in a row, to space out the next tries.
    private readonly ConcurrentDictionary<string, int> _faults = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _kick = new(0, int.MaxValue);

    public BulkJobRunner(IGrainFactory grains, IOptions<BulkIssuanceOptions> options, TimeProvider time, BulkIssuanceMetrics metrics, ILogger<BulkJobRunner> logger)
    {
        _grains = grains;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Looks for work now rather than at the next poll (a job was just queued).</summary>
    public void Kick() => _kick.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registry = _grains.GetGrain<IBulkJobRegistryGrain>(IBulkJobRegistryGrain.Key);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var (jobId, run) in _running)
                    {
                        if (run.IsCompleted)
                        {
                            _running.Remove(jobId);
                        }
                    }

                    var active = await registry.GetActiveAsync();
                    foreach (var jobId in active)
                    {
                        if (!_running.ContainsKey(jobId))
                        {
                            _running[jobId] = RunJobAsync(jobId, stoppingToken);
                        }
                    }

                    foreach (var jobId in _faults.Keys.Except(active, StringComparer.Ordinal))
                    {
                        _faults.TryRemove(jobId, out _);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    PollFailed(_logger, exception);
                }

                await _kick.WaitAsync(_options.PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(_running.Values);
    }

    private async Task RunJobAsync(string jobId, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var job = _grains.GetGrain<IBulkJobControl>(jobId);
        var wait = TimeSpan.Zero;
        try
        {
            var work = await job.AcquireLeaseAsync(_runnerId, _options.LeaseDuration, _options.UploadStallTimeout);
            if (work is null)
            {
                return;
            }

            JobStarted(_logger, jobId, work.PendingChunks.Count, work.ChunkCount);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var heartbeat = RenewLeaseAsync(job, stop);
            _metrics.RunStarted();
            try
            {
                var context = await JobContext.LoadAsync(_grains, jobId, work.Request);
                var reason = await IssueChunksAsync(job, context, work.PendingChunks, stop);
                _faults.TryRemove(jobId, out _);
                JobStopped(_logger, jobId, reason);
            }
            finally
            {
                _metrics.RunEnded();
                await stop.CancelAsync();
                await heartbeat;
            }
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            _metrics.RunFaulted();
            var faults = _faults.AddOrUpdate(jobId, 1, static (_, n) => n + 1);
            wait = RetryDelay(faults);
            JobFaulted(_logger, jobId, faults, wait, exception);
            try
            {
                await job.ReleaseLeaseAsync(_runnerId, string.Create(
                    CultureInfo.InvariantCulture,
                    $"A run stopped at an error ({exception.GetType().Name}) at {_time.GetUtcNow():O}, {faults} in a row; the job resumes from its last recorded chunk, and the engine's log has the error."));
            }
            catch (Exception)
            {
                // The lease runs out by itself.
            }
        }
        catch (OperationCanceledException)
        {
        }

        // An error that recurs on every run (a chunk that cannot be issued) is retried ever less often, not
        // at every poll; the run's task stays in the poll loop's list, so the job is not started meanwhile.
        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, _time, stoppingToken);
                Kick();
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// How long to wait before trying a job again after <paramref name="faults"/> runs in a row stopped at
    /// an error: at once after the first (most errors pass), then the poll interval, doubling up to five minutes.
    /// </summary>
    private TimeSpan RetryDelay(int faults) =>
        faults <= 1 ? TimeSpan.Zero
        : TimeSpan.FromTicks(Math.Min(s_maxRetryDelay.Ticks, _options.PollInterval.Ticks * (1L << Math.Min(faults - 2, 20))));

    private async Task RenewLeaseAsync(IBulkJobControl job, CancellationTokenSource stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.LeaseDuration / 3, stop.Token);
                if (!await job.RenewLeaseAsync(_runnerId, _options.LeaseDuration))
                {
                    await stop.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Issues the pending chunks, a few at a time, and returns why it stopped.</summary>
    private async Task<string> IssueChunksAsync(IBulkJobControl job, JobContext context, IReadOnlyList<int> pending, CancellationTokenSource stop)
    {
        using var slots = new SemaphoreSlim(_options.ChunksInFlight, _options.ChunksInFlight);
        var inFlight = new List<Task>();
        var stopped = false;
        var started = _time.GetTimestamp();
        var dispatched = 0;
        foreach (var index in pending)
        {
            try
            {
                await PaceAsync(started, dispatched++, stop.Token);
                await slots.WaitAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The lease could not be renewed (another engine's runner holds it, or the job ended), or
                // the engine is stopping: the chunks in flight finish, no more are dispatched.
                break;
            }

            if (Volatile.Read(ref stopped))
            {
                slots.Release();
                break;
            }

            inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    var begun = _time.GetTimestamp();
                    var outcome = await IssueChunkAsync(context, index);
                    var answer = await job.RecordChunkAsync(_runnerId, index, outcome);
                    if (answer is BulkRecordAnswer.Recorded or BulkRecordAnswer.RecordedThenStop)
                    {
                        _metrics.ChunkRecorded(outcome, _time.GetElapsedTime(begun));
                    }

                    if (answer is BulkRecordAnswer.Stop or BulkRecordAnswer.RecordedThenStop)
                    {
                        Volatile.Write(ref stopped, true);
                    }
                }
                catch
                {
                    // Dispatch no more: the run ends and the job resumes from its recorded chunks.
                    Volatile.Write(ref stopped, true);
                    throw;
                }
                finally
                {
                    slots.Release();
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return stop.IsCancellationRequested ? "the lease ended or the engine is stopping"
            : stopped ? "cancelled or taken over"
            : "every chunk recorded";
    }

    /// <summary>Waits until the chunk numbered <paramref name="dispatched"/> of this run is due under <see cref="BulkIssuanceOptions.MaxRowsPerSecond"/>.</summary>
    private Task PaceAsync(long started, int dispatched, CancellationToken cancellation)
    {
        if (_options.MaxRowsPerSecond == 0)
        {
            return Task.CompletedTask;
        }

        var due = TimeSpan.FromSeconds((double)dispatched * _options.ChunkRows / _options.MaxRowsPerSecond) - _time.GetElapsedTime(started);
        return due > TimeSpan.Zero ? Task.Delay(due, _time, cancellation) : Task.CompletedTask;
    }

    /// <summary>Issues one chunk's rows and returns its outcome.</summary>
    private async Task<BulkChunkOutcome> IssueChunkAsync(JobContext context, int index)
    {
        var chunkGrain = _grains.GetGrain<IBulkJobChunkGrain>(BulkJobChunkGrain.KeyOf(context.JobId, index));
        var chunk = await chunkGrain.GetChunkAsync() ?? throw new InvalidOperationException($"Chunk {index} of job {context.JobId} is not stored.");
        await chunkGrain.ReleaseAsync();

        var rejections = new List<BulkRejection>();
        var items = new List<BulkIssueItem>(chunk.Rows.Count);
        var institutions = context.IsDirected ? await InstitutionsAsync(chunk.Rows, context) : null;
        var uncatalogued = context.IsDirected ? await UncataloguedAsync(chunk.Rows, context) : null;
        foreach (var row in chunk.Rows)
        {
            var institutionId = row.InstitutionId ?? context.Request.DefaultInstitutionId;
            if (institutions is not null && InstitutionRefusal(institutions, institutionId, row.OccupationCode, context.Request.RegionCode) is { } refused)
            {
                rejections.Add(new BulkRejection(row.RowNumber, row.CitizenId, BulkRejectionCodes.Of(refused.Rejection!.Value), refused.Detail ?? ""));
                continue;
            }

            // R1: as for a roster, a directed voucher is bound only to a programme of the campaign's catalogue.
            if (uncatalogued is not null && row.OccupationCode is { } occupation && uncatalogued.Contains(occupation))
            {
                rejections.Add(new BulkRejection(
                    row.RowNumber,
                    row.CitizenId,
                    BulkRejectionCodes.Of(RejectionCode.OccupationNotInCatalogue),
                    $"Occupation {occupation} is not in the {context.CatalogueYear} catalogue of region {context.Request.RegionCode}."));
                continue;
            }

            items.Add(new BulkIssueItem(row.RowNumber, row.CitizenId, row.OccupationCode, row.Level, institutionId, row.Attributes));
        }

        var issued = 0;
        for (var round = 0; items.Count > 0; round++)
        {
            var retry = new List<BulkIssueItem>();
            var batches = items
                .GroupBy(i => CampaignIssuers.KeyFor(context.Request.CampaignId, i.CitizenId, context.IssuerCount))
                .SelectMany(g => g.Chunk(_options.MaxIssuerBatch).Select(rows => (Issuer: g.Key, Rows: rows)));
            var answers = await Task.WhenAll(batches.Select(b =>
                _grains.GetGrain<IBulkIssuer>(b.Issuer).IssueBatchAsync(new BulkIssueBatch(context.JobId, b.Rows))));
            var byRow = items.ToDictionary(i => i.RowNumber);
            foreach (var result in answers.SelectMany(a => a))
            {
                if (result.VoucherCode is not null)
                {
                    issued++;
                }
                else if (result.Rejection is { } rejection)
                {
                    rejections.Add(rejection);
                }
                else if (round < RetryRounds)
                {
                    retry.Add(byRow[result.RowNumber]);
                }
                else
                {
                    rejections.Add(new BulkRejection(result.RowNumber, byRow[result.RowNumber].CitizenId, BulkRejectionCodes.Of(RejectionCode.ConcurrentOperation), "Other operations kept changing the worker; upload the row again."));
                }
            }

            items = retry;
            if (items.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * (round + 1)));
            }
        }

        rejections.Sort((a, b) => a.RowNumber.CompareTo(b.RowNumber));
        return new BulkChunkOutcome(issued, rejections);
    }

    private async Task<Dictionary<string, InstitutionView?>> InstitutionsAsync(IReadOnlyList<BulkRow> rows, JobContext context)
    {
        var ids = rows.Select(r => r.InstitutionId ?? context.Request.DefaultInstitutionId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var views = await Task.WhenAll(ids.Select(id => _grains.GetGrain<IInstitutionGrain>(id).GetAsync()));
        var result = new Dictionary<string, InstitutionView?>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            result[ids[i]] = views[i];
        }

        return result;
    }

    /// <summary>The occupations the chunk's rows name that the campaign's catalogue does not list.</summary>
    private async Task<HashSet<string>> UncataloguedAsync(IReadOnlyList<BulkRow> rows, JobContext context)
    {
        var codes = rows.Select(r => r.OccupationCode).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var entries = await Task.WhenAll(codes.Select(code => RegionLookup.OccupationAsync(_grains, context.Request.RegionCode, context.CatalogueYear, code)));
        return [.. codes.Where((_, i) => entries[i] is null)];
    }

    /// <summary>R2, R3, R11: a directed row's institution must be listed, active, inside the campaign's region and allowed the occupation (as for a roster).</summary>
    private static Result? InstitutionRefusal(Dictionary<string, InstitutionView?> institutions, string? institutionId, string? occupation, string campaignRegion)
    {
        if (institutionId is null)
        {
            return Result.Reject(RejectionCode.InvalidRequest, "A directed row names its institution (or the upload names a default one).");
        }

        var institution = institutions[institutionId];
        if (InstitutionGrain.DirectedRejection(institution, campaignRegion) is { } rejected)
        {
            return rejected;
        }

        return occupation is not null && !institution!.Listing.Occupations.Contains(occupation)
            ? Result.Reject(RejectionCode.OccupationNotAllowed, $"The institution may not train occupation {occupation}.")
            : null;
    }

    /// <summary>What the runner needs of a job and its campaign while it runs.</summary>
    private sealed record JobContext(string JobId, BulkJobRequest Request, int IssuerCount, bool IsDirected, int CatalogueYear)
    {
        public static async Task<JobContext> LoadAsync(IGrainFactory grains, string jobId, BulkJobRequest request)
        {
            var campaign = await grains.GetGrain<ICampaignGrain>(request.CampaignId).GetAsync();
            return new JobContext(
                jobId,
                request,
                campaign?.Definition.IssuerCount ?? 1,
                campaign?.Definition.IssuanceMode == Vouchers.IssuanceMode.Directed,
                campaign?.Definition.CatalogueYear ?? 0);
        }
    }
}
