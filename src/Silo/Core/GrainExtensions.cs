namespace OrleansVoucher.Silo;

/// <summary>Orleans-style helpers on grains and grain references.</summary>
public static class GrainExtensions
{
    /// <summary>The string key of a grain or grain reference.</summary>
    public static string GetPrimaryKeyString(this IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain.GrainId.Key;
    }
}
