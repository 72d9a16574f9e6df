namespace OrleansVoucher.Grains.Workers;

/// <summary>
/// A worker, keyed by citizen id (validated with <see cref="CitizenId.TryParse"/> before calling): the
/// attributes eligibility is judged on, the vouchers held, the yearly slots taken, and the lifelong
/// training archive.
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Registers the worker or replaces their attributes (from social-security records).</summary>
    Task<Result> RegisterAsync(WorkerAttributes attributes);

    /// <summary>The worker.</summary>
    Task<Result<WorkerView>> GetAsync();

    /// <summary>
    /// The worker as the store holds it now, with what any engine changed: for the views a client reads
    /// (a claim won through another engine shows at once). Costs a read of the store.
    /// </summary>
    Task<Result<WorkerView>> ReadAsync();

    /// <summary>
    /// The lifelong training archive: every claim, enrolment, check-in, result, certificate, settlement
    /// and revocation in order, read from the durable stream written atomically with each change, plus
    /// the expiry of held vouchers past their deadline.
    /// </summary>
    Task<Result<IReadOnlyList<ArchiveEntry>>> GetArchiveAsync();
}
