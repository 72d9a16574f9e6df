using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Institutions;

namespace OrleansVoucher.Grains.Classes;

/// <summary>
/// The class's definition, as its row holds it: written once, when the class is created. What changes as
/// trainees enrol, withdraw and check in is a small record of its own (<see cref="ClassCounters"/>), so
/// that those changes never rewrite the sessions and the token key. Each trainee is a record of its own
/// (<see cref="TraineeState"/>) and the roster is kept in pages (<see cref="RosterPage"/>), so the class's
/// records do not grow with its trainees. Check-in history is in the event streams.
/// </summary>
/// <remarks>
/// Classes written before the counters had a record of their own hold them in this row (the former
/// shape's properties below, null since); such a class is migrated when it is activated, in one unit with
/// its first counters record (see <c>ClassGrain.MigrateAsync</c>).
/// </remarks>
internal sealed class ClassState
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

    /// <summary>The former shape's <see cref="ClassCounters.Enrolled"/>; null since the counters have a record of their own.</summary>
    public int? Enrolled { get; set; }

    /// <summary>The former shape's <see cref="ClassCounters.NextOrdinal"/>; null since.</summary>
    public long? NextOrdinal { get; set; }

    /// <summary>The former shape's <see cref="ClassCounters.AttendedSessions"/>; null since.</summary>
    public List<int>? AttendedSessions { get; set; }

    /// <summary>The former shape's <see cref="ClassCounters.Flags"/>; null since.</summary>
    public List<Anomaly>? Flags { get; set; }

    /// <summary>
    /// The trainees as classes written before per-trainee records held them, inside the class's row; a
    /// class read with them is migrated when it is activated (see <c>ClassGrain.MigrateAsync</c>). Null since.
    /// </summary>
    public Dictionary<string, TraineeState>? Trainees { get; set; }

    /// <summary>The definition alone, without anything of a former shape: what a migrated class's row holds.</summary>
    public ClassState DefinitionOnly()
    {
        var copy = (ClassState)MemberwiseClone();
        copy.Enrolled = null;
        copy.NextOrdinal = null;
        copy.AttendedSessions = null;
        copy.Flags = null;
        copy.Trainees = null;
        return copy;
    }
}

/// <summary>
/// What changes of a class as a whole, in a record of its own beside the class's row: what enrolments
/// are checked against and what supervision is shown. Every enrolment and withdrawal writes it, so two
/// prepared on one version (in one activation or in two engines sharing the store) never both commit.
/// </summary>
internal sealed class ClassCounters : ICopyableState<ClassCounters>
{
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

    /// <summary>A copy to change and write; the lists a change appends to are copied (references only: anomalies are immutable).</summary>
    public ClassCounters Copy()
    {
        var copy = (ClassCounters)MemberwiseClone();
        copy.AttendedSessions = [.. AttendedSessions];
        copy.Flags = [.. Flags];
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

    /// <summary>Whether anything of the trainee's training is recorded: an attendance, a result or an evaluation.</summary>
    public bool HasTrainingRecord() => Attended.Count > 0 || Results.Count > 0 || CourseScore is not null || TraineeScore is not null;
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
