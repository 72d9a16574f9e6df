using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Settlement;

namespace OrleansVoucher.Grains.Vouchers;

/// <summary>
/// One voucher, keyed by its canonical code (see <see cref="VoucherCode"/>; validate before calling).
/// Its status is computed on every call from its stored state, its deadline and the clock, so a voucher
/// past its deadline is expired whether or not anything touched it (R9).
/// </summary>
public interface IVoucherGrain : IGrainWithStringKey
{
    /// <summary>The voucher.</summary>
    Task<Result<VoucherView>> GetAsync();

    /// <summary>
    /// The voucher as the store holds it now, with what any engine changed: for the views a client reads.
    /// Costs a read of the store.
    /// </summary>
    Task<Result<VoucherView>> ReadAsync();

    /// <summary>Claims a directed voucher issued to the worker (R8): only its named holder can, once, before its deadline.</summary>
    Task<Result<VoucherView>> ClaimAsync(string citizenId);

    /// <summary>Revokes the voucher (the authority, with a reason). A settled voucher cannot be revoked.</summary>
    Task<Result> RevokeAsync(string reason);

    /// <summary>
    /// The part's settlement claim awaiting a decision, which names the institution an approval pays;
    /// refused as a decision on it would be when there is none. The approval itself is the paid
    /// institution's (<see cref="Institutions.IInstitutionGrain.ApproveSettlementAsync"/>), so that the
    /// institution's standing (R3) is part of it.
    /// </summary>
    Task<Result<SettlementPartView>> PendingClaimAsync(TrainingPart part);

    /// <summary>Rejects a part's settlement claim with a reason.</summary>
    Task<Result<SettlementPartView>> RejectSettlementAsync(TrainingPart part, string reason);
}
