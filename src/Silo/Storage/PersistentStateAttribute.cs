namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/> for the silo to
/// supply, loaded before the grain's first call.
/// </summary>
/// <param name="stateName">The state's name, unique within the grain type; part of its storage key.</param>
/// <param name="storageName">The storage provider's name; the silo's default store when omitted.</param>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    /// <summary>The name of the default storage provider.</summary>
    public const string DefaultStorageName = "Default";

    /// <summary>The state's name.</summary>
    public string StateName { get; } = stateName;

    /// <summary>The storage provider's name.</summary>
    public string StorageName { get; } = storageName ?? DefaultStorageName;
}
