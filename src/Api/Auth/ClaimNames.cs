namespace OrleansVoucher.Api.Auth;

/// <summary>The token claims the engine reads.</summary>
public static class ClaimNames
{
    /// <summary>The subject: an institution id, a worker's citizen id, or an authority's or operator's account.</summary>
    public const string Subject = "sub";

    /// <summary>The role (<see cref="Roles"/>).</summary>
    public const string Role = "role";

    /// <summary>An authority's 6-digit region code.</summary>
    public const string Region = "region";
}
