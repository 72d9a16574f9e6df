namespace OrleansVoucher.Silo;

/// <summary>
/// Names a grain class's type durably. The name keys the class's persisted states, so it must not change
/// once data exists; without the attribute the class's name is used.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    /// <summary>The durable grain type name.</summary>
    public string Name { get; } = name;
}
