using System.Text.Json.Serialization;
using OrleansVoucher.Grains.Common;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>The rows of one stored chunk of an upload.</summary>
internal sealed class BulkChunkRowsState
{
    [JsonConverter(typeof(BulkRowsJsonConverter))]
    public List<BulkRow> Rows { get; set; } = [];

    public List<BulkRejection> Rejections { get; set; } = [];

    public bool Stored { get; set; }
}

/// <summary>What issuing a chunk gave, once recorded.</summary>
internal sealed class BulkChunkOutcomeState
{
    public bool Recorded { get; set; }

    public int IssuedCount { get; set; }

    public List<BulkRejection> Rejections { get; set; } = [];
}

/// <summary>What issuing one chunk gave, as the job records it.</summary>
/// <param name="IssuedCount">Rows issued a voucher (now, or by an earlier attempt of the same row).</param>
/// <param name="Rejections">Rows rejected at issuance.</param>
internal sealed record BulkChunkOutcome(int IssuedCount, IReadOnlyList<BulkRejection> Rejections);

/// <summary>A chunk of a job's upload: its rows are written once when uploaded, its outcome once when issued.</summary>
internal interface IBulkJobChunkGrain : IGrainWithStringKey
{
    /// <summary>Holds the chunk's rows pending, to be written with the job's receive counters.</summary>
    Task<Prepared<Result>> PrepareStoreAsync(TransactionId transaction, BulkChunk chunk);

    /// <summary>Holds the chunk's outcome pending, to be written with the job's counters.</summary>
    Task<Prepared<Result>> PrepareOutcomeAsync(TransactionId transaction, BulkChunkOutcome outcome);

    /// <summary>Applies the outcome of the transaction that stores the rows.</summary>
    Task CompleteStoreAsync(TransactionOutcome outcome);

    /// <summary>Applies the outcome of the transaction that records the outcome.</summary>
    Task CompleteOutcomeAsync(TransactionOutcome outcome);

    /// <summary>The stored rows, or null.</summary>
    Task<BulkChunk?> GetChunkAsync();

    /// <summary>Every rejected row of the chunk, read at upload or at issuance, in row order.</summary>
    Task<IReadOnlyList<BulkRejection>> GetRejectionsAsync();

    /// <summary>Lets the chunk leave memory once the caller is done with it.</summary>
    Task ReleaseAsync();
}

/// <summary>
/// A chunk of an upload, keyed <c>{jobId}/{index}</c>. Its rows are the job's durable input, so that an
/// interrupted job resumes without the client uploading again; its outcome, written in the same unit
/// as the job's counters, is the durable fact those counters sum.
/// </summary>
[GrainType("bulk-job-chunk")]
internal sealed class BulkJobChunkGrain : Grain, IBulkJobChunkGrain
{
    private readonly TransactionalState<BulkChunkRowsState> _rows;
    private readonly TransactionalState<BulkChunkOutcomeState> _outcome;

    public BulkJobChunkGrain(
        [PersistentState("rows")] IPersistentState<BulkChunkRowsState> rows,
        [PersistentState("outcome")] IPersistentState<BulkChunkOutcomeState> outcome,
        IServiceProvider services)
    {
        var grainServices = new GrainServices(services);
        _rows = grainServices.Transactional(rows);
        _outcome = grainServices.Transactional(outcome);
    }

    public static string KeyOf(string jobId, int index) => $"{jobId}/{index.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)}";

    public Task<Prepared<Result>> PrepareStoreAsync(TransactionId transaction, BulkChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (_rows.IsBusy)
        {
            return Task.FromResult(new Prepared<Result>(null, Attempts.Busy()));
        }

        if (_rows.State.Stored)
        {
            return Task.FromResult(new Prepared<Result>(null, Result.Reject(RejectionCode.AlreadyExists, "The chunk is stored.")));
        }

        // Written without a draft copy: the rows are new, nothing of the committed state is reused.
        var draft = new BulkChunkRowsState { Rows = [.. chunk.Rows], Rejections = [.. chunk.Rejections], Stored = true };
        return Task.FromResult(new Prepared<Result>(_rows.Prepare(transaction, draft), Result.Ok));
    }

    public Task<Prepared<Result>> PrepareOutcomeAsync(TransactionId transaction, BulkChunkOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (_outcome.IsBusy)
        {
            return Task.FromResult(new Prepared<Result>(null, Attempts.Busy()));
        }

        if (_outcome.State.Recorded)
        {
            return Task.FromResult(new Prepared<Result>(null, Result.Reject(RejectionCode.AlreadyExists, "The chunk's outcome is recorded.")));
        }

        var draft = new BulkChunkOutcomeState { Recorded = true, IssuedCount = outcome.IssuedCount, Rejections = [.. outcome.Rejections] };
        return Task.FromResult(new Prepared<Result>(_outcome.Prepare(transaction, draft), Result.Ok));
    }

    public Task CompleteStoreAsync(TransactionOutcome outcome)
    {
        _rows.Complete(outcome);
        return Task.CompletedTask;
    }

    public Task CompleteOutcomeAsync(TransactionOutcome outcome)
    {
        _outcome.Complete(outcome);
        return Task.CompletedTask;
    }

    public Task<BulkChunk?> GetChunkAsync() =>
        Task.FromResult(_rows.State.Stored ? new BulkChunk(_rows.State.Rows, _rows.State.Rejections) : null);

    public Task<IReadOnlyList<BulkRejection>> GetRejectionsAsync()
    {
        IReadOnlyList<BulkRejection> all = [.. _rows.State.Rejections.Concat(_outcome.State.Rejections).OrderBy(r => r.RowNumber)];
        return Task.FromResult(all);
    }

    public Task ReleaseAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
