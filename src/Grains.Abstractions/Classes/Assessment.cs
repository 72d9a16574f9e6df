namespace OrleansVoucher.Grains.Classes;

/// <summary>Which part of a training a result or a settlement concerns (R15).</summary>
public enum TrainingPart
{
    /// <summary>The whole training, run by one institution.</summary>
    Whole,

    /// <summary>The online theory part, run by an online platform partner.</summary>
    Online,

    /// <summary>The offline practice part, when an online partner runs the theory.</summary>
    Offline,
}

/// <summary>A trainee's assessment result for a part of the training.</summary>
/// <param name="ReporterInstitutionId">The institution reporting it (the class's, or its online partner for the online part).</param>
/// <param name="CitizenId">The trainee.</param>
/// <param name="Part">The part assessed.</param>
/// <param name="Passed">Whether the assessment was passed.</param>
/// <param name="CertificateNumber">The certificate number, required to complete the training (R15, R16).</param>
public sealed record AssessmentReport(string ReporterInstitutionId, string CitizenId, TrainingPart Part, bool Passed, string? CertificateNumber);

/// <summary>What a recorded result led to.</summary>
/// <param name="VoucherCode">The trainee's voucher.</param>
/// <param name="Completed">Whether the voucher is now completed (every part passed, certificate recorded, attendance met).</param>
/// <param name="Pending">What completion still waits for, when not completed.</param>
/// <param name="AttendancePercent">The trainee's attendance rate.</param>
public sealed record CompletionReport(string VoucherCode, bool Completed, string? Pending, int AttendancePercent);

/// <summary>A trainee's rating of a course, or an institution's rating of a trainee (R20).</summary>
/// <param name="CitizenId">The trainee.</param>
/// <param name="Score">1 to 5.</param>
/// <param name="Comment">Optional words.</param>
public sealed record Evaluation(string CitizenId, int Score, string? Comment);
