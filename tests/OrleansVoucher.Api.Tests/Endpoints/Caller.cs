using System.Globalization;
using OrleansVoucher.Api.Auth;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>Who a test request is from: a role, a subject and, for an authority, its region.</summary>
/// <param name="Role">The role.</param>
/// <param name="Subject">The institution id, citizen id or account.</param>
/// <param name="Region">An authority's region.</param>
public sealed record Caller(string Role, string Subject, string? Region = null)
{
    /// <summary>An authority of <paramref name="region"/>.</summary>
    public static Caller Authority(string region) => new(Roles.Authority, $"hrss-{region}", region);

    /// <summary>An institution.</summary>
    public static Caller Institution(string id) => new(Roles.Institution, id);

    /// <summary>A worker.</summary>
    public static Caller Worker(string citizenId) => new(Roles.Worker, citizenId);

    /// <summary>An operator.</summary>
    public static Caller Operator { get; } = new(Roles.Operator, "ops");

    /// <summary>A valid citizen id registered in <paramref name="region"/>, born on <paramref name="born"/>, with sequence <paramref name="sequence"/>.</summary>
    public static string CitizenId(string region, int sequence, DateOnly? born = null)
    {
        var first17 = region + (born ?? new DateOnly(1990, 1, 1)).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + sequence.ToString("000", CultureInfo.InvariantCulture);
        return first17 + Grains.Workers.CitizenId.CheckCharacterOf(first17);
    }

    /// <inheritdoc />
    public override string ToString() => Region is null ? $"{Role}:{Subject}" : $"{Role}:{Subject}@{Region}";
}
