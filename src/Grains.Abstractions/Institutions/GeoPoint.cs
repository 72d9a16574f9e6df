namespace OrleansVoucher.Grains.Institutions;

/// <summary>A position in WGS-84 degrees.</summary>
/// <param name="Latitude">Degrees north, -90 to 90.</param>
/// <param name="Longitude">Degrees east, -180 to 180.</param>
public sealed record GeoPoint(double Latitude, double Longitude)
{
    private const double EarthRadiusMetres = 6_371_008.8;

    /// <summary>Whether both coordinates are in range.</summary>
    public bool IsValid => Latitude is >= -90 and <= 90 && Longitude is >= -180 and <= 180 && double.IsFinite(Latitude) && double.IsFinite(Longitude);

    /// <summary>The great-circle distance to <paramref name="other"/>, in metres (haversine formula).</summary>
    public double DistanceTo(GeoPoint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var phi1 = double.DegreesToRadians(Latitude);
        var phi2 = double.DegreesToRadians(other.Latitude);
        var dPhi = phi2 - phi1;
        var dLambda = double.DegreesToRadians(other.Longitude - Longitude);
        var a = (Math.Sin(dPhi / 2) * Math.Sin(dPhi / 2)) + (Math.Cos(phi1) * Math.Cos(phi2) * Math.Sin(dLambda / 2) * Math.Sin(dLambda / 2));
        return 2 * EarthRadiusMetres * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
