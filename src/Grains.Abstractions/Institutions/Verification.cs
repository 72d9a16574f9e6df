namespace OrleansVoucher.Grains.Institutions;

/// <summary>An institution's scan of a voucher at enrolment (R11).</summary>
/// <param name="VoucherCode">The code as scanned or typed.</param>
/// <param name="PresenterCitizenId">The citizen id of the person presenting it, as read from their card.</param>
/// <param name="ClassCode">The institution's class the trainee enrols in.</param>
public sealed record VerificationRequest(string VoucherCode, string PresenterCitizenId, string ClassCode);

/// <summary>A successful verification: the voucher is activated and bound to the institution, occupation and class.</summary>
/// <param name="VoucherCode">The voucher.</param>
/// <param name="CitizenId">Its holder.</param>
/// <param name="ClassKey">The class.</param>
/// <param name="OccupationCode">The occupation trained.</param>
/// <param name="Deadline">When the training must be finished.</param>
public sealed record VerificationReceipt(string VoucherCode, string CitizenId, string ClassKey, string OccupationCode, DateTimeOffset Deadline);

/// <summary>A signed, time-limited check-in code an institution shows at a session when location check-in fails (R13).</summary>
/// <param name="Token">The token to encode in the QR code.</param>
/// <param name="ExpiresAt">When it stops being accepted.</param>
public sealed record CheckInToken(string Token, DateTimeOffset ExpiresAt);
