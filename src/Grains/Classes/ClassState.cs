using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Institutions;

namespace OrleansVoucher.Grains.Classes;

/// <summary>
/// What the engine keeps of a class as a whole: its definition and what class-wide decisions need.
/// Each trainee is a record of its own (<see cref="TraineeState"/>) and the roster is kept in pages
/// (<see cref="RosterPage"/>), so the class's row does not grow with its trainees and a trainee's change
/// writes that trainee's record alone. Check-in history is in the event streams.
/// </summary>
internal sealed class ClassState : ICopyableState<ClassState>
{
    public string? InstitutionId { get; set; }

    public string OccupationCode { get; set; } = "";

    public SkillLevel? Level { get; set; }

    /// <summary>The sessions, by start; never changed once the class is created.</summary>
    public List<SessionPlan> Sessions { get; set; } = [];

    public string? OnlinePartnerId { get; set; }

    public GeoPoint? Site { get; set; }

    public int SiteRadiusMetres { get; set; }

    public int? Capacity { get; set; }

    /// <summary>The key check-in codes are signed with; never changed once the class is created.</summary>
    public byte[] TokenKey { get; set; } = [];

    /// <summary>How many trainees are enrolled now: what the capacity is checked against.</summary>
    public int Enrolled { get; set; }

    /// <summary>
    /// The ordinal the next enrolment takes: enrolments ever made, withdrawn ones included. An ordinal
    /// names the trainee's roster slot and record, and is never taken twice.
    /// </summary>
    public long NextOrdinal { get; set; }

    /// <summary>The sessions that had at least one counted check-in or online-study report (R13).</summary>
    public List<int> AttendedSessions { get; set; } = [];

    public List<Anomaly> Flags { get; set; } = [];

    /// <summary>
    /// The trainees as classes written before per-trainee records held them, inside the class's row; a
    /// class read with them is migrated when it is activated (see <c>ClassGrain.MigrateAsync</c>). Null since.
    /// </summary>
    public Dictionary<string, TraineeState>? Trainees { get; set; }

    /// <summary>
    /// A copy to change and write. The definition (sessions, token key) is shared, as it never changes;
    /// the lists a change appends to are copied (references only: anomalies are immutable).
    /// </summary>
    public ClassState Copy()
    {
        var copy = (ClassState)MemberwiseClone();
        copy.AttendedSessions = [.. AttendedSessions];
        copy.Flags = [.. Flags];
        copy.Trainees = null;
        return copy;
    }
}

/// <summary>One trainee of a class, stored as a record of its own.</summary>
internal sealed class TraineeState
{
    public string VoucherCode { get; set; } = "";

    public string CampaignId { get; set; } = "";

    public List<int> Attended { get; set; } = [];

    public GeoPoint? LastPosition { get; set; }

    public DateTimeOffset? LastPositionAt { get; set; }

    public List<PartResult> Results { get; set; } = [];

    public bool Completed { get; set; }

    public int? CourseScore { get; set; }

    public int? TraineeScore { get; set; }
}

/// <summary>A trainee's result for one part.</summary>
internal sealed class PartResult
{
    public TrainingPart Part { get; set; }

    public bool Passed { get; set; }

    public string? CertificateNumber { get; set; }
}

/// <summary>
/// A page of a class's roster: the citizen ids of <see cref="Size"/> consecutive enrolment ordinals, by
/// ordinal; null where that enrolment was withdrawn. An enrolment writes one page, never the whole roster.
/// </summary>
internal sealed class RosterPage
{
    /// <summary>Ordinals per page.</summary>
    public const int Size = 64;

    public List<string?> Trainees { get; set; } = [];
}
