namespace OrleansVoucher.Silo;

/// <summary>
/// A registered grain class: its durable name and CLR type. There is one instance per class in a silo,
/// so identities compare by reference.
/// </summary>
public sealed class GrainType
{
    private static int s_seed;

    internal GrainType(string name, Type grainClass)
    {
        Name = name;
        GrainClass = grainClass;
        HashSeed = Interlocked.Increment(ref s_seed);
    }

    /// <summary>The durable name (see <see cref="GrainTypeAttribute"/>).</summary>
    public string Name { get; }

    /// <summary>The grain class.</summary>
    public Type GrainClass { get; }

    internal int HashSeed { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
