namespace OrleansVoucher.Grains.Statistics;

/// <summary>How many of the vouchers that exist are in each status now; the counts sum to all vouchers issued to a worker.</summary>
/// <param name="Issued">Directed vouchers not yet claimed and not expired.</param>
/// <param name="Claimed">Claimed, not activated, not expired.</param>
/// <param name="Activated">In training, not expired.</param>
/// <param name="Completed">Completed, not yet settled.</param>
/// <param name="Settled">Settled.</param>
/// <param name="Expired">Past their deadline before completion.</param>
/// <param name="Revoked">Revoked.</param>
public sealed record StatusCounts(long Issued, long Claimed, long Activated, long Completed, long Settled, long Expired, long Revoked)
{
    /// <summary>No vouchers.</summary>
    public static StatusCounts None { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>All vouchers counted.</summary>
    public long Total => Issued + Claimed + Activated + Completed + Settled + Expired + Revoked;

    /// <summary>The sum of two sets of counts.</summary>
    public StatusCounts Add(StatusCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Issued + other.Issued, Claimed + other.Claimed, Activated + other.Activated, Completed + other.Completed, Settled + other.Settled, Expired + other.Expired, Revoked + other.Revoked);
    }
}

/// <summary>
/// The dispatch indicators of a campaign or a region (R19), exact as of <see cref="AsOf"/>: folded from
/// the durable event streams, with expiry computed from deadlines and the clock.
/// </summary>
public sealed record VoucherStatistics
{
    /// <summary>What is counted: <c>campaign/{id}</c> or <c>region/{code}</c>.</summary>
    public required string Scope { get; init; }

    /// <summary>
    /// 发券量: vouchers put out — the stock a general campaign offers to its targeted population when it
    /// opens, and each directed voucher issued to a named worker.
    /// </summary>
    public long Issued { get; init; }

    /// <summary>Of <see cref="Issued"/>, face-value vouchers.</summary>
    public long IssuedFaceValue { get; init; }

    /// <summary>Of <see cref="Issued"/>, general vouchers.</summary>
    public long IssuedGeneral { get; init; }

    /// <summary>领券量: vouchers claimed.</summary>
    public long Claimed { get; init; }

    /// <summary>用券量: vouchers activated (verified at enrolment), net of rolled-back verifications.</summary>
    public long Activated { get; init; }

    /// <summary>Vouchers completed (settled ones included).</summary>
    public long Completed { get; init; }

    /// <summary>Vouchers settled.</summary>
    public long Settled { get; init; }

    /// <summary>Vouchers expired.</summary>
    public long Expired { get; init; }

    /// <summary>Vouchers revoked.</summary>
    public long Revoked { get; init; }

    /// <summary>Vouchers by status now.</summary>
    public StatusCounts Current { get; init; } = StatusCounts.None;

    /// <summary>Face value (or credit reserve) of the vouchers issued to workers, in fen.</summary>
    public long IssuedAmountFen { get; init; }

    /// <summary>Subsidy claimed and awaiting a decision, in fen.</summary>
    public long PendingSettlementFen { get; init; }

    /// <summary>Subsidy approved, in fen.</summary>
    public long SettledAmountFen { get; init; }

    /// <summary>Trainees who rated their course after completing it (R20).</summary>
    public long Evaluated { get; init; }

    /// <summary>领券率: claimed over issued (target 40%).</summary>
    public decimal ClaimRate => Ratio(Claimed, Issued);

    /// <summary>用券率: activated over issued (target 10%).</summary>
    public decimal UseRate => Ratio(Activated, Issued);

    /// <summary>面值券发放率: face-value vouchers over issued (target 60%).</summary>
    public decimal FaceValueShare => Ratio(IssuedFaceValue, Issued);

    /// <summary>通用券发放率: general vouchers over issued (target 60%).</summary>
    public decimal GeneralShare => Ratio(IssuedGeneral, Issued);

    /// <summary>培训评价完成率: completed trainees who rated their course, over completed (target 80%).</summary>
    public decimal EvaluationRate => Ratio(Evaluated, Completed);

    /// <summary>The time the figures hold for (expiry is counted as of then).</summary>
    public DateTimeOffset AsOf { get; init; }

    private static decimal Ratio(long part, long whole) => whole == 0 ? 0m : Math.Round((decimal)part / whole, 4, MidpointRounding.ToEven);
}
