namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// Identifies one persisted state of one grain: the grain type's name, the state's name (a grain may
/// hold several states) and the grain's key.
/// </summary>
public readonly record struct GrainStateKey(string GrainType, string StateName, string GrainKey)
{
    /// <inheritdoc />
    public override string ToString() => $"{GrainType}/{StateName}/{GrainKey}";
}
