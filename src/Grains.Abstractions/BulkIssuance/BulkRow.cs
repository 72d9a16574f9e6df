using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>
/// One parsed row of an uploaded roster: a trainee of a directed campaign (citizen id, name,
/// occupation, level, institution) or a member of a general campaign's targeted population (citizen id
/// and the attributes its eligibility rules need). The row number is its identity within the job.
/// </summary>
/// <param name="RowNumber">The 1-based number of the data row in the upload (the header is not counted).</param>
/// <param name="CitizenId">The worker, canonical.</param>
/// <param name="OccupationCode">The occupation a directed voucher is bound to.</param>
/// <param name="Level">The skill level, or null.</param>
/// <param name="InstitutionId">The institution whose trainee it is, for a directed campaign.</param>
/// <param name="Attributes">What the row says of the worker; it registers a worker the engine does not know yet.</param>
public sealed record BulkRow(
    long RowNumber,
    string CitizenId,
    string? OccupationCode,
    SkillLevel? Level,
    string? InstitutionId,
    WorkerAttributes? Attributes);

/// <summary>A row that was not issued a voucher, and why.</summary>
/// <param name="RowNumber">The row's number in the upload.</param>
/// <param name="CitizenId">The citizen id as read, when there was one.</param>
/// <param name="Code">A stable code (see <see cref="BulkRejectionCodes"/>).</param>
/// <param name="Detail">A human-readable explanation.</param>
public sealed record BulkRejection(long RowNumber, string? CitizenId, string Code, string Detail);

/// <summary>The stable codes of row rejections: the domain's rejection codes in kebab case, and the upload's own.</summary>
public static class BulkRejectionCodes
{
    /// <summary>The row could not be read (a missing or malformed field); the detail names it.</summary>
    public const string MalformedRow = "malformed-row";

    /// <summary>The job issued the row's worker a voucher from another row.</summary>
    public const string DuplicateRow = "duplicate-row";

    /// <summary>The code of a domain rejection: its name in kebab case (<c>LiveVoucherHeld</c> is <c>live-voucher-held</c>).</summary>
    public static string Of(RejectionCode code)
    {
        var name = code.ToString();
        var result = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                result.Append('-');
            }

            result.Append(char.ToLowerInvariant(name[i]));
        }

        return result.ToString();
    }
}
