using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Grains.Institutions;

/// <summary>
/// The answer to an institution's read-only scan of a voucher: whether a verification with the same
/// request would succeed now, or the stable reason it would be refused, and the voucher's status.
/// Nothing is changed or written to answer it.
/// </summary>
/// <param name="VoucherCode">The voucher, canonical; the code as given when it is not a valid code.</param>
/// <param name="Rejection">Why a verification would be refused; null when it would succeed.</param>
/// <param name="Detail">A human-readable explanation of the rejection.</param>
/// <param name="Status">The voucher's status; null when it does not exist or the presenter is not its holder.</param>
public sealed record VoucherCheck(string VoucherCode, RejectionCode? Rejection, string? Detail, VoucherStatus? Status)
{
    /// <summary>Whether a verification with the same request would succeed now.</summary>
    public bool Verifiable => Rejection is null;
}
