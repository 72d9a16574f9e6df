using System.Text.Json;
using OrleansVoucher.Grains.Common;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>What the engine keeps of a job. Counters change only in the units that store a chunk or record its outcome.</summary>
internal sealed class BulkJobState
{
    public BulkJobRequest? Request { get; set; }

    public BulkJobStatus Status { get; set; }

    public int ChunkCount { get; set; }

    public long RowsRead { get; set; }

    public long Issued { get; set; }

    public long Rejected { get; set; }

    /// <summary>Every chunk below this index has its outcome recorded.</summary>
    public int RecordedThrough { get; set; }

    /// <summary>Chunks at or above <see cref="RecordedThrough"/> whose outcome is recorded (chunks finish out of order).</summary>
    public List<int> RecordedAhead { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastUploadAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? Detail { get; set; }

    public string? LeaseHolder { get; set; }

    public DateTimeOffset LeaseExpiresAt { get; set; }

    public DateTimeOffset? RunStartedAt { get; set; }

    public long DecidedAtRunStart { get; set; }

    public bool IsRecorded(int index) => index < RecordedThrough || RecordedAhead.Contains(index);
}

/// <summary>What a runner holding a job's lease works on.</summary>
/// <param name="Request">The job's request.</param>
/// <param name="ChunkCount">Chunks stored.</param>
/// <param name="PendingChunks">Chunks whose outcome is not yet recorded, in order.</param>
internal sealed record BulkJobWork(BulkJobRequest Request, int ChunkCount, IReadOnlyList<int> PendingChunks);

/// <summary>What recording a chunk told the runner.</summary>
internal enum BulkRecordAnswer
{
    /// <summary>Recorded; go on.</summary>
    Recorded,

    /// <summary>It was recorded before (by another runner); go on.</summary>
    AlreadyRecorded,

    /// <summary>Recorded; stop: the job was cancelled, or the runner's lease passed to another, meanwhile.</summary>
    RecordedThenStop,

    /// <summary>Stop without recording: the job was cancelled or ended, or the runner's lease passed to another.</summary>
    Stop,
}

/// <summary>The runner's side of a job: leases and chunk outcomes.</summary>
internal interface IBulkJobControl : IGrainWithStringKey
{
    /// <summary>
    /// Takes (or renews) the lease for <paramref name="runnerId"/> if the job is queued or running and no
    /// other runner holds an unexpired lease; returns the work, or null. Marks a stalled upload failed.
    /// </summary>
    Task<BulkJobWork?> AcquireLeaseAsync(string runnerId, TimeSpan lease, TimeSpan uploadStallTimeout);

    /// <summary>Extends the lease; false when the runner no longer holds it or the job has ended.</summary>
    Task<bool> RenewLeaseAsync(string runnerId, TimeSpan lease);

    /// <summary>Records a chunk's outcome and the counters, atomically.</summary>
    Task<BulkRecordAnswer> RecordChunkAsync(string runnerId, int index, BulkChunkOutcome outcome);

    /// <summary>
    /// Gives the lease up; <paramref name="fault"/>, when the run stopped at an error, is shown in the
    /// job's detail until a later run records a chunk.
    /// </summary>
    Task ReleaseLeaseAsync(string runnerId, string? fault);
}

/// <summary>
/// A bulk issuance job (see <see cref="IBulkJobGrain"/>). The job's grain holds its status and counters;
/// its chunks (<see cref="BulkJobChunkGrain"/>) hold the upload and the outcomes; a runner
/// (<see cref="BulkJobRunner"/>) holding the job's lease issues the chunks through the campaign's issuers.
/// </summary>
/// <remarks>
/// Any engine may be asked about a job another engine runs — a client's poll through a load balancer, a
/// runner looking for work, a cancellation — and an activation does not see what another engine's
/// activation of the job wrote. What is answered or decided there is therefore read from the store first
/// (<see cref="RefreshAsync"/>); the runner's own calls rely on their writes' version checks as before.
/// </remarks>
[GrainType("bulk-job")]
internal sealed class BulkJobGrain : Grain, IBulkJobGrain, IBulkJobControl
{
    private readonly GrainServices _services;
    private readonly TransactionalState<BulkJobState> _state;

    public BulkJobGrain([PersistentState("job")] IPersistentState<BulkJobState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    private string Id => this.GetPrimaryKeyString();

    public async Task<Result<BulkJobView>> CreateAsync(BulkJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_state.State.Request is not null)
        {
            return Result<BulkJobView>.Reject(RejectionCode.AlreadyExists, $"Job {Id} exists.");
        }

        // Registered first, so that a job whose upload stalls is found and marked failed, and listed
        // under its campaign first, so that every job that exists is listed.
        try
        {
            await Task.WhenAll(Registry.AddAsync(Id), GrainFactory.GetGrain<ICampaignJobsRegistry>(request.CampaignId).AddAsync(Id));
        }
        catch (InconsistentStateException)
        {
            // Listed in one and not the other, or in neither: the job does not exist, and a listing or
            // a runner passes over an id whose job does not exist.
            return Attempts.Contended<BulkJobView>();
        }

        var now = _services.Now;
        var draft = _state.Draft();
        draft.Request = request;
        draft.Status = BulkJobStatus.Receiving;
        draft.CreatedAt = now;
        draft.LastUploadAt = now;
        await _state.WriteAsync(draft, []);
        return Result<BulkJobView>.Ok(View());
    }

    public async Task<Result> AppendChunkAsync(int index, BulkChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var state = _state.State;
        if (state.Request is null)
        {
            return Result.Reject(RejectionCode.InvalidRequest, $"No job {Id}.");
        }

        if (index < state.ChunkCount)
        {
            return Result.Ok;
        }

        if (state.Status != BulkJobStatus.Receiving || index != state.ChunkCount)
        {
            return Result.Reject(RejectionCode.InvalidRequest, $"The job is {StatusName(state.Status)} and expects chunk {state.ChunkCount}.");
        }

        var chunkGrain = GrainFactory.GetGrain<IBulkJobChunkGrain>(BulkJobChunkGrain.KeyOf(Id, index));
        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            await using var transaction = new TransactionCoordinator(_services.Storage);
            var vote = await transaction.PrepareAsync(chunkGrain.PrepareStoreAsync(transaction.Id, chunk), chunkGrain.CompleteStoreAsync);
            if (!vote.HasWrite && vote.Value.Rejection != RejectionCode.AlreadyExists)
            {
                return vote.Value;
            }

            // A chunk stored by an earlier attempt whose job write was lost is stored again only in count.
            var draft = _state.Draft();
            draft.ChunkCount = index + 1;
            draft.RowsRead += chunk.RowCount;
            draft.Rejected += chunk.Rejections.Count;
            draft.LastUploadAt = _services.Now;
            transaction.EnlistSelf(_state, draft);
            if (await transaction.CommitAsync())
            {
                await chunkGrain.ReleaseAsync();
                return Result.Ok;
            }

            await _state.ReloadAsync();
        }

        return Attempts.Contended();
    }

    public async Task<Result<BulkJobView>> SealAsync(int chunkCount)
    {
        var state = _state.State;
        if (state.Request is null)
        {
            return Result<BulkJobView>.Reject(RejectionCode.InvalidRequest, $"No job {Id}.");
        }

        if (state.Status != BulkJobStatus.Receiving)
        {
            return Result<BulkJobView>.Ok(View());
        }

        if (chunkCount != state.ChunkCount)
        {
            return Result<BulkJobView>.Reject(RejectionCode.InvalidRequest, $"The job holds {state.ChunkCount} chunks, not {chunkCount}.");
        }

        var draft = _state.Draft();
        draft.Status = state.ChunkCount == 0 ? BulkJobStatus.Completed : BulkJobStatus.Queued;
        draft.FinishedAt = draft.Status == BulkJobStatus.Completed ? _services.Now : null;
        await _state.WriteAsync(draft, []);
        await FinishIfEndedAsync();
        return Result<BulkJobView>.Ok(View());
    }

    public async Task FailUploadAsync(string reason)
    {
        if (_state.State.Request is null || _state.State.Status != BulkJobStatus.Receiving)
        {
            return;
        }

        var draft = _state.Draft();
        draft.Status = BulkJobStatus.Failed;
        draft.Detail = reason;
        draft.FinishedAt = _services.Now;
        await _state.WriteAsync(draft, []);
        await FinishIfEndedAsync();
    }

    public async Task<Result<BulkJobView>> CancelAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            await RefreshAsync();
            var state = _state.State;
            if (state.Request is null)
            {
                return Result<BulkJobView>.Reject(RejectionCode.InvalidRequest, $"No job {Id}.");
            }

            if (state.Status is BulkJobStatus.Completed or BulkJobStatus.Cancelled or BulkJobStatus.Failed)
            {
                return Result<BulkJobView>.Reject(RejectionCode.InvalidRequest, $"The job has ended: it is {StatusName(state.Status)}.");
            }

            var draft = _state.Draft();
            draft.Status = BulkJobStatus.Cancelled;
            draft.Detail = "Cancelled by the authority.";
            draft.FinishedAt = _services.Now;
            draft.LeaseHolder = null;
            try
            {
                await _state.WriteAsync(draft, []);
            }
            catch (InconsistentStateException) when (attempt < Attempts.Max)
            {
                // A runner in another engine recorded a chunk in between: cancel what it wrote.
                continue;
            }

            await FinishIfEndedAsync();
            return Result<BulkJobView>.Ok(View());
        }
    }

    public async Task<BulkJobView?> GetAsync()
    {
        await RefreshAsync();
        return _state.State.Request is null ? null : View();
    }

    public async Task<BulkRejectionPage> GetRejectionsAsync(int fromChunk, int maxChunks)
    {
        await RefreshAsync();
        var state = _state.State;
        var end = Math.Min(state.ChunkCount, fromChunk + Math.Max(1, maxChunks));
        var rejections = new List<BulkRejection>();
        for (var index = Math.Max(0, fromChunk); index < end; index++)
        {
            var chunk = GrainFactory.GetGrain<IBulkJobChunkGrain>(BulkJobChunkGrain.KeyOf(Id, index));
            rejections.AddRange(await chunk.GetRejectionsAsync());
            await chunk.ReleaseAsync();
        }

        return new BulkRejectionPage(rejections, end < state.ChunkCount ? end : null);
    }

    public async Task<BulkJobWork?> AcquireLeaseAsync(string runnerId, TimeSpan lease, TimeSpan uploadStallTimeout)
    {
        await RefreshAsync();
        var state = _state.State;
        var now = _services.Now;
        if (state.Request is null || state.Status is BulkJobStatus.Completed or BulkJobStatus.Cancelled or BulkJobStatus.Failed)
        {
            await FinishIfEndedAsync();
            return null;
        }

        if (state.Status == BulkJobStatus.Receiving)
        {
            if (now - state.LastUploadAt > uploadStallTimeout)
            {
                await FailUploadAsync($"The upload stopped arriving at {state.LastUploadAt:u}; nothing was issued.");
            }

            return null;
        }

        if (state.LeaseHolder is { } holder && holder != runnerId && state.LeaseExpiresAt > now)
        {
            return null;
        }

        var draft = _state.Draft();
        draft.LeaseHolder = runnerId;
        draft.LeaseExpiresAt = now + lease;
        draft.Status = BulkJobStatus.Running;
        draft.StartedAt ??= now;
        draft.RunStartedAt = now;
        draft.DecidedAtRunStart = state.Issued + state.Rejected;
        try
        {
            await _state.WriteAsync(draft, []);
        }
        catch (InconsistentStateException)
        {
            // Another engine's runner took the lease (or recorded a chunk) since the read: look again at the next poll.
            return null;
        }

        var pending = Enumerable.Range(0, draft.ChunkCount).Where(i => !draft.IsRecorded(i)).ToList();
        return new BulkJobWork(draft.Request!, draft.ChunkCount, pending);
    }

    public async Task<bool> RenewLeaseAsync(string runnerId, TimeSpan lease)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = _state.State;
            if (state.Status != BulkJobStatus.Running || state.LeaseHolder != runnerId)
            {
                return false;
            }

            var draft = _state.Draft();
            draft.LeaseExpiresAt = _services.Now + lease;
            try
            {
                await _state.WriteAsync(draft, []);
                return true;
            }
            catch (InconsistentStateException) when (attempt < Attempts.Max)
            {
                // Another engine wrote the job: its runner took the lease over, or a runner it had before
                // recorded a chunk. Renew only if the lease is still this runner's.
                await RefreshAsync();
            }
        }
    }

    public async Task<BulkRecordAnswer> RecordChunkAsync(string runnerId, int index, BulkChunkOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var chunk = GrainFactory.GetGrain<IBulkJobChunkGrain>(BulkJobChunkGrain.KeyOf(Id, index));
        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            var state = _state.State;
            var stop = state.Status != BulkJobStatus.Running || state.LeaseHolder != runnerId;
            if (state.IsRecorded(index))
            {
                return stop ? BulkRecordAnswer.Stop : BulkRecordAnswer.AlreadyRecorded;
            }

            // An outcome is a durable fact whoever produced it: it is recorded even when the job was
            // cancelled or its lease passed to another runner meanwhile, so that the counters include
            // every voucher issued. The runner is then told to stop.
            if (state.Status is not (BulkJobStatus.Running or BulkJobStatus.Cancelled))
            {
                return BulkRecordAnswer.Stop;
            }

            await using var transaction = new TransactionCoordinator(_services.Storage);
            var vote = await transaction.PrepareAsync(chunk.PrepareOutcomeAsync(transaction.Id, outcome), chunk.CompleteOutcomeAsync);
            if (!vote.HasWrite)
            {
                // Recorded by another process whose job write this activation has not seen: reload.
                await _state.ReloadAsync();
                continue;
            }

            var draft = _state.Draft();
            if (draft.Status == BulkJobStatus.Running)
            {
                // A running job's detail is only ever the fault an earlier run stopped at: this run got past it.
                draft.Detail = null;
            }

            draft.Issued += outcome.IssuedCount;
            draft.Rejected += outcome.Rejections.Count;
            draft.RecordedAhead.Add(index);
            draft.RecordedAhead.Sort();
            while (draft.RecordedAhead.Count > 0 && draft.RecordedAhead[0] == draft.RecordedThrough)
            {
                draft.RecordedAhead.RemoveAt(0);
                draft.RecordedThrough++;
            }

            if (draft.RecordedThrough == draft.ChunkCount && draft.Status == BulkJobStatus.Running)
            {
                draft.Status = BulkJobStatus.Completed;
                draft.FinishedAt = _services.Now;
                draft.LeaseHolder = null;
            }

            transaction.EnlistSelf(_state, draft);
            if (await transaction.CommitAsync())
            {
                await chunk.ReleaseAsync();
                await FinishIfEndedAsync();
                return stop ? BulkRecordAnswer.RecordedThenStop : BulkRecordAnswer.Recorded;
            }

            await _state.ReloadAsync();
        }

        return BulkRecordAnswer.Stop;
    }

    public async Task ReleaseLeaseAsync(string runnerId, string? fault)
    {
        if (_state.State.LeaseHolder != runnerId)
        {
            return;
        }

        var draft = _state.Draft();
        draft.LeaseHolder = null;
        if (fault is not null && draft.Status == BulkJobStatus.Running)
        {
            draft.Detail = fault;
        }

        await _state.WriteAsync(draft, []);
    }

    /// <summary>Reads the job as the store holds it (this activation holds no change of its own between calls).</summary>
    private Task RefreshAsync() => _state.ReloadAsync();

    /// <summary>A status as the API writes it (<c>completed</c>), for details a client reads beside the status.</summary>
    private static string StatusName(BulkJobStatus status) => JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    private IBulkJobRegistryGrain Registry => GrainFactory.GetGrain<IBulkJobRegistryGrain>(IBulkJobRegistryGrain.Key);

    private async Task FinishIfEndedAsync()
    {
        if (_state.State.Status is BulkJobStatus.Completed or BulkJobStatus.Cancelled or BulkJobStatus.Failed)
        {
            await Registry.RemoveAsync(Id);
        }
    }

    private BulkJobView View()
    {
        var state = _state.State;
        var now = _services.Now;
        var decided = state.Issued + state.Rejected;
        double? rate = null;
        double? left = null;
        if (state.Status == BulkJobStatus.Running && state.RunStartedAt is { } since && now > since)
        {
            rate = (decided - state.DecidedAtRunStart) / (now - since).TotalSeconds;
            left = rate > 0 ? (state.RowsRead - decided) / rate : null;
        }
        else if (state.StartedAt is { } started && state.FinishedAt is { } finished && state.Status == BulkJobStatus.Completed
            && finished > (state.RunStartedAt ?? started))
        {
            // The last run's rate; a run that started and finished at one instant has none.
            rate = (decided - state.DecidedAtRunStart) / (finished - (state.RunStartedAt ?? started)).TotalSeconds;
        }

        return new BulkJobView(
            Id,
            state.Request!.CampaignId,
            state.Request.RegionCode,
            state.Status,
            state.RowsRead,
            state.Issued,
            state.Rejected,
            state.RowsRead == 0 ? (state.Status == BulkJobStatus.Completed ? 100 : 0) : Math.Round(100.0 * decided / state.RowsRead, 2),
            rate is { } r ? Math.Round(r, 1) : null,
            left is { } l ? Math.Round(l, 1) : null,
            state.CreatedAt,
            state.StartedAt,
            state.FinishedAt,
            state.Detail);
    }
}
