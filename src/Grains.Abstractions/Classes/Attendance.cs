using OrleansVoucher.Grains.Institutions;

namespace OrleansVoucher.Grains.Classes;

/// <summary>How a trainee checked in (R13).</summary>
public enum CheckInMethod
{
    /// <summary>By the phone's position, inside the site's radius.</summary>
    Location,

    /// <summary>By scanning the institution's signed QR code, the fallback when location fails.</summary>
    QrToken,

    /// <summary>Completed online study, reported by the online platform.</summary>
    OnlineStudy,
}

/// <summary>Why a check-in or a session is flagged for supervision (R13, R21).</summary>
public enum AnomalyKind
{
    /// <summary>A scheduled session ended with no check-in at all.</summary>
    SessionWithoutCheckIns,

    /// <summary>A scanned code reported from far away from the site, or two positions of a trainee farther apart than anyone could travel between them.</summary>
    ImpossiblePosition,

    /// <summary>A trainee checked in again in a session already checked in.</summary>
    RepeatedCheckIn,

    /// <summary>A QR check-in whose reported position was outside the site's radius (location failed; the code was the fallback).</summary>
    OutsideRadius,
}

/// <summary>A trainee's check-in at an offline session: a position, or a scanned token.</summary>
/// <param name="CitizenId">The trainee.</param>
/// <param name="Session">The session's index in <see cref="ClassView.Sessions"/>.</param>
/// <param name="Position">The phone's position, for a location check-in.</param>
/// <param name="Token">The scanned QR token, for the fallback.</param>
public sealed record CheckInRequest(string CitizenId, int Session, GeoPoint? Position = null, string? Token = null);

/// <summary>A recorded check-in.</summary>
/// <param name="Session">The session.</param>
/// <param name="Method">How it was made.</param>
/// <param name="At">When.</param>
/// <param name="Flags">Anomalies noticed, if any (a flagged check-in still counts unless it was refused).</param>
public sealed record CheckInReceipt(int Session, CheckInMethod Method, DateTimeOffset At, IReadOnlyList<AnomalyKind> Flags);

/// <summary>An online platform's report that a trainee completed an online session.</summary>
/// <param name="ReporterInstitutionId">The platform reporting it.</param>
/// <param name="CitizenId">The trainee.</param>
/// <param name="Session">The online session's index.</param>
public sealed record OnlineStudyReport(string ReporterInstitutionId, string CitizenId, int Session);

/// <summary>A trainee's attendance in a class (R14).</summary>
/// <param name="CitizenId">The trainee.</param>
/// <param name="AttendedSessions">Indexes of sessions with an accepted check-in.</param>
/// <param name="AttendedMinutes">Minutes of those sessions.</param>
/// <param name="TotalMinutes">Minutes of all sessions.</param>
/// <param name="RatePercent">Attended over total, in whole percent rounded down.</param>
public sealed record AttendanceView(string CitizenId, IReadOnlyList<int> AttendedSessions, long AttendedMinutes, long TotalMinutes, int RatePercent);

/// <summary>Something flagged for supervision.</summary>
/// <param name="Kind">What.</param>
/// <param name="Session">The session.</param>
/// <param name="CitizenId">The trainee, for a trainee's check-in.</param>
/// <param name="At">When it was noticed (for a session without check-ins: the session's end).</param>
/// <param name="Detail">Particulars.</param>
public sealed record Anomaly(AnomalyKind Kind, int Session, string? CitizenId, DateTimeOffset At, string? Detail);
