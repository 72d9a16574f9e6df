namespace OrleansVoucher.Grains.Classes;

/// <summary>
/// A registered class, keyed <c>{institutionId}:{classCode}</c> (see <see cref="ClassKey"/>); created
/// through <c>IInstitutionGrain.RegisterClassAsync</c>, and enrolled into by voucher verification. It
/// records check-ins and results and completes its trainees' vouchers.
/// </summary>
public interface IClassGrain : IGrainWithStringKey
{
    /// <summary>The class, or null when it was never registered.</summary>
    Task<ClassView?> GetAsync();

    /// <summary>
    /// Checks a trainee in to an offline session (R13): by position inside the site's radius, or by the
    /// institution's signed, unexpired QR token. Open from 30 minutes before the session until its end.
    /// Repeats and impossible positions are flagged.
    /// </summary>
    Task<Result<CheckInReceipt>> CheckInAsync(CheckInRequest request);

    /// <summary>Records a trainee's completed online session, reported by the platform teaching it.</summary>
    Task<Result<CheckInReceipt>> RecordOnlineStudyAsync(OnlineStudyReport report);

    /// <summary>
    /// Records an assessment result (R14, R15). When every part is passed, the certificate recorded and
    /// attendance meets the threshold, the trainee's voucher is completed in the same atomic write.
    /// </summary>
    Task<Result<CompletionReport>> RecordResultAsync(AssessmentReport report);

    /// <summary>A trainee's attendance (R14).</summary>
    Task<Result<AttendanceView>> GetAttendanceAsync(string citizenId);

    /// <summary>Sessions without check-ins (once ended) and flagged check-ins, for supervision (R13, R21).</summary>
    Task<IReadOnlyList<Anomaly>> GetAnomaliesAsync();

    /// <summary>A trainee rates the course after completing it (R20).</summary>
    Task<Result> RateCourseAsync(Evaluation evaluation);

    /// <summary>The institution rates a trainee (R20).</summary>
    Task<Result> RateTraineeAsync(Evaluation evaluation);
}
