namespace OrleansVoucher.Grains.Catalogues;

/// <summary>How an occupation may be trained (seed 000 §11–13).</summary>
public enum SkillKind
{
    /// <summary>Knowledge-skill (知识技能型): may be trained fully online.</summary>
    KnowledgeSkill,

    /// <summary>Operation-skill (操作技能型): online theory and offline practice.</summary>
    OperationSkill,
}

/// <summary>The five national skill levels, numbered as on the certificates (五级 is the entry level).</summary>
public enum SkillLevel
{
    /// <summary>一级 / 高级技师.</summary>
    SeniorTechnician = 1,

    /// <summary>二级 / 技师.</summary>
    Technician = 2,

    /// <summary>三级 / 高级工.</summary>
    Advanced = 3,

    /// <summary>四级 / 中级工.</summary>
    Intermediate = 4,

    /// <summary>五级 / 初级工.</summary>
    Elementary = 5,
}

/// <summary>The subsidy standard for one certificate level; a null level is the standard for training without a level (a certificate of completion).</summary>
/// <param name="Level">The level, or null.</param>
/// <param name="SubsidyFen">The standard, in fen.</param>
public sealed record LevelStandard(SkillLevel? Level, long SubsidyFen);

/// <summary>An uplift of the subsidy standard for workers of a named group (R1: "属 XX 人员，上浮 X%").</summary>
/// <param name="Category">The worker category, as in <c>WorkerAttributes.Categories</c>.</param>
/// <param name="Percent">The uplift in percent.</param>
public sealed record GroupUplift(string Category, int Percent);

/// <summary>One occupation of a region's yearly demand catalogue (R1, seed 004 table 1).</summary>
public sealed record OccupationEntry
{
    /// <summary>The code in the national classification, e.g. <c>4-10-01-02</c> (see <see cref="OccupationCode"/>).</summary>
    public required string Code { get; init; }

    /// <summary>The occupation (work type) name, e.g. 育婴员.</summary>
    public required string Name { get; init; }

    /// <summary>The training type, e.g. 就业技能培训.</summary>
    public string? TrainingType { get; init; }

    /// <summary>Knowledge-skill or operation-skill.</summary>
    public SkillKind Kind { get; init; }

    /// <summary>Whether the occupation is urgently needed (急需紧缺).</summary>
    public bool Shortage { get; init; }

    /// <summary>The subsidy standard per certificate level.</summary>
    public IReadOnlyList<LevelStandard> Standards { get; init; } = [];

    /// <summary>Uplifts for named groups.</summary>
    public IReadOnlyList<GroupUplift> Uplifts { get; init; } = [];

    /// <summary>The standard for <paramref name="level"/>: the level's own, else the level-less one; null when neither exists.</summary>
    public long? StandardFor(SkillLevel? level) =>
        (Standards.FirstOrDefault(s => s.Level == level) ?? Standards.FirstOrDefault(s => s.Level is null))?.SubsidyFen;

    /// <summary>The first problem with the entry, or null.</summary>
    public string? Validate()
    {
        if (!OccupationCode.IsValid(Code))
        {
            return $"'{Code}' is not an occupation code.";
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            return $"Occupation {Code} needs a name.";
        }

        if (Standards is null || Standards.Count == 0 || Standards.Any(s => s is null || s.SubsidyFen < 0))
        {
            return $"Occupation {Code} needs subsidy standards of at least 0 fen.";
        }

        if (Standards.GroupBy(s => s.Level).Any(g => g.Count() > 1))
        {
            return $"Occupation {Code} has two standards for one level.";
        }

        return Uplifts is null || Uplifts.Any(u => u is null || string.IsNullOrWhiteSpace(u.Category) || u.Percent is < 0 or > 100)
            ? $"Occupation {Code} has an uplift without a category or outside 0-100%."
            : null;
    }
}
