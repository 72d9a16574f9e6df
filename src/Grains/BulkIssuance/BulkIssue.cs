using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>One row a job asks an issuer to issue.</summary>
/// <param name="RowNumber">The row's number in the upload.</param>
/// <param name="CitizenId">The worker, canonical.</param>
/// <param name="OccupationCode">The bound occupation (directed).</param>
/// <param name="Level">The skill level, or null.</param>
/// <param name="InstitutionId">The institution (directed).</param>
/// <param name="Attributes">What the row says of the worker, to register one the engine does not know.</param>
internal sealed record BulkIssueItem(long RowNumber, string CitizenId, string? OccupationCode, SkillLevel? Level, string? InstitutionId, WorkerAttributes? Attributes);

/// <summary>Rows of one job for one issuer, issued in one atomic unit.</summary>
/// <param name="JobId">The job; with a row's number it tags the voucher the row issues.</param>
/// <param name="Items">The rows.</param>
internal sealed record BulkIssueBatch(string JobId, IReadOnlyList<BulkIssueItem> Items);

/// <summary>What one row gave: a voucher, a rejection, or a transient refusal to retry.</summary>
/// <param name="RowNumber">The row.</param>
/// <param name="VoucherCode">The voucher issued to it (now or by an earlier attempt of the same row).</param>
/// <param name="Rejection">Why it was not issued.</param>
/// <param name="Retry">Whether the refusal is transient (another operation held the worker): ask again.</param>
internal sealed record BulkIssueResult(long RowNumber, string? VoucherCode, BulkRejection? Rejection, bool Retry);

/// <summary>An issuer's bulk side: many rows of a job in one atomic write.</summary>
internal interface IBulkIssuer : IGrainWithStringKey
{
    /// <summary>
    /// Issues a voucher to each row under the same rules as one at a time (R4–R7): one atomic unit holds
    /// every voucher, every worker, the issuer's counters and the events. A row this job issued before
    /// answers with that voucher and writes nothing.
    /// </summary>
    Task<IReadOnlyList<BulkIssueResult>> IssueBatchAsync(BulkIssueBatch batch);
}

/// <summary>A grant to a worker from a bulk job.</summary>
/// <param name="Grant">The voucher and the rules it is granted under; its roster id tags the job and row.</param>
/// <param name="JobTagPrefix">The prefix every roster id of this job's vouchers starts with.</param>
/// <param name="Attributes">Attributes to register the worker with when the engine does not know them.</param>
internal sealed record BulkGrant(VoucherGrant Grant, string JobTagPrefix, WorkerAttributes? Attributes);

/// <summary>The worker's answer to a bulk grant.</summary>
/// <param name="Rejection">Why it cannot receive the voucher.</param>
/// <param name="ExistingCode">The voucher this row was issued before: nothing to write.</param>
/// <param name="Duplicate">The job issued the worker a voucher for another row.</param>
/// <param name="Registered">The grant registers the worker with the row's attributes.</param>
internal sealed record BulkGrantVote(Result Rejection, string? ExistingCode, bool Duplicate, bool Registered);

/// <summary>The worker's part in bulk issuance.</summary>
internal interface IBulkWorkerParticipant : IGrainWithStringKey
{
    /// <summary>
    /// Recognizes a row issued before, refuses a second row of the same job, registers an unknown worker
    /// from the row, checks eligibility (R6) and one live voucher (R7), and holds the voucher pending.
    /// </summary>
    Task<Prepared<BulkGrantVote>> PrepareBulkGrantAsync(TransactionId transaction, BulkGrant grant);

    /// <summary>Applies a transaction's outcome.</summary>
    Task CompleteAsync(TransactionOutcome outcome);
}

/// <summary>Tags of vouchers a job issues: <c>{campaignId}/{jobId}#{row}</c>, recorded as the voucher's roster id.</summary>
internal static class BulkTags
{
    public static string Prefix(string campaignId, string jobId) => $"{campaignId}/{jobId}#";

    public static string Of(string campaignId, string jobId, long rowNumber) =>
        Prefix(campaignId, jobId) + rowNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
