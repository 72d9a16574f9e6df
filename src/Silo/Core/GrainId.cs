namespace OrleansVoucher.Silo;

/// <summary>The identity of a grain: its type and its key.</summary>
public readonly struct GrainId : IEquatable<GrainId>
{
    internal GrainId(GrainType type, string key)
    {
        Type = type;
        Key = key;
    }

    /// <summary>The grain's type.</summary>
    public GrainType Type { get; }

    /// <summary>The grain's key.</summary>
    public string Key { get; }

    /// <inheritdoc />
    public bool Equals(GrainId other) => ReferenceEquals(Type, other.Type) && string.Equals(Key, other.Key, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is GrainId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type.HashSeed, Key.GetHashCode(StringComparison.Ordinal));

    /// <inheritdoc />
    public override string ToString() => $"{Type.Name}/{Key}";

    /// <summary>Equality.</summary>
    public static bool operator ==(GrainId left, GrainId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(GrainId left, GrainId right) => !left.Equals(right);
}
