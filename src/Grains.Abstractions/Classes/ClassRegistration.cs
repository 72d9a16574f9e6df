using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Institutions;

namespace OrleansVoucher.Grains.Classes;

/// <summary>Where a session is taught.</summary>
public enum SessionMode
{
    /// <summary>At the institution's site; trainees check in by location or QR code.</summary>
    Offline,

    /// <summary>On an online platform, which reports each trainee's completed study.</summary>
    Online,
}

/// <summary>One scheduled session of a class. Its hours are its duration.</summary>
/// <param name="Start">When it starts.</param>
/// <param name="End">When it ends.</param>
/// <param name="Mode">Offline or online.</param>
public sealed record SessionPlan(DateTimeOffset Start, DateTimeOffset End, SessionMode Mode)
{
    /// <summary>When the first of <paramref name="sessions"/> starts; <see cref="DateTimeOffset.MaxValue"/> for none.</summary>
    public static DateTimeOffset FirstStart(IReadOnlyList<SessionPlan> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var first = DateTimeOffset.MaxValue;
        foreach (var session in sessions)
        {
            first = session.Start < first ? session.Start : first;
        }

        return first;
    }
}

/// <summary>A class an institution registers before it opens (R12).</summary>
/// <param name="ClassCode">The institution's code for the class (letters, digits, hyphens).</param>
/// <param name="OccupationCode">The occupation trained.</param>
/// <param name="Level">The certificate level aimed at, or null.</param>
/// <param name="Sessions">The sessions, in any order.</param>
/// <param name="OnlinePartnerId">
/// The online platform teaching the online sessions when it is not this institution (R15, mode 2): each
/// institution then settles its own part.
/// </param>
/// <param name="Capacity">The most trainees, or null for no limit.</param>
public sealed record ClassRegistration(
    string ClassCode,
    string OccupationCode,
    SkillLevel? Level,
    IReadOnlyList<SessionPlan> Sessions,
    string? OnlinePartnerId = null,
    int? Capacity = null);

/// <summary>A class as registered, with its trainees.</summary>
/// <param name="Key">The class key, <c>{institutionId}:{classCode}</c>.</param>
/// <param name="InstitutionId">The institution running it.</param>
/// <param name="OccupationCode">The occupation trained.</param>
/// <param name="Level">The certificate level.</param>
/// <param name="Sessions">The sessions in time order; check-ins name a session by its index here.</param>
/// <param name="OnlinePartnerId">The online partner, if any.</param>
/// <param name="Site">The site for location check-in.</param>
/// <param name="SiteRadiusMetres">The check-in radius.</param>
/// <param name="Capacity">The most trainees.</param>
/// <param name="Trainees">The enrolled trainees' citizen ids.</param>
public sealed record ClassView(
    string Key,
    string InstitutionId,
    string OccupationCode,
    SkillLevel? Level,
    IReadOnlyList<SessionPlan> Sessions,
    string? OnlinePartnerId,
    GeoPoint? Site,
    int SiteRadiusMetres,
    int? Capacity,
    IReadOnlyList<string> Trainees)
{
    /// <summary>When the first session starts.</summary>
    public DateTimeOffset StartsAt => SessionPlan.FirstStart(Sessions);

    /// <summary>Total minutes of all sessions.</summary>
    public long TotalMinutes => Sessions.Sum(s => (long)(s.End - s.Start).TotalMinutes);

    /// <summary>Minutes of online sessions.</summary>
    public long OnlineMinutes => Sessions.Where(s => s.Mode == SessionMode.Online).Sum(s => (long)(s.End - s.Start).TotalMinutes);
}

/// <summary>Keys of class grains.</summary>
public static class ClassKey
{
    /// <summary>The key of <paramref name="institutionId"/>'s class <paramref name="classCode"/>.</summary>
    public static string Of(string institutionId, string classCode) => $"{institutionId}:{classCode}";

    /// <summary>The institution part of a class key.</summary>
    public static string InstitutionOf(string classKey)
    {
        ArgumentNullException.ThrowIfNull(classKey);
        var colon = classKey.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? classKey : classKey[..colon];
    }
}
