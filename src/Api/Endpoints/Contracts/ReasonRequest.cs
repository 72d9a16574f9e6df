namespace OrleansVoucher.Api.Endpoints.Contracts;

/// <summary>Why: for a revocation, a suspension, a reinstatement, a removal, a rejection or a rollback.</summary>
/// <param name="Reason">1 to 500 characters.</param>
public sealed record ReasonRequest(string Reason);
