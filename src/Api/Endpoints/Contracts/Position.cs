using OrleansVoucher.Grains.Institutions;

namespace OrleansVoucher.Api.Endpoints.Contracts;

/// <summary>A position in WGS-84 degrees.</summary>
/// <param name="Latitude">Degrees north, -90 to 90.</param>
/// <param name="Longitude">Degrees east, -180 to 180.</param>
public sealed record Position(double Latitude, double Longitude)
{
    /// <summary>The position of a domain point, or null.</summary>
    public static Position? From(GeoPoint? point) => point is null ? null : new Position(point.Latitude, point.Longitude);
}
