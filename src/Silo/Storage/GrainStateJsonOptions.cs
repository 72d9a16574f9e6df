using System.Text.Json.Serialization;

namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// The source-generated JSON contexts the silo's <see cref="JsonGrainStateSerializer"/> writes their
/// types' states with; every other state type, and every read, goes through reflection. Added by whoever owns the
/// state types (<see cref="Hosting.SiloStateJsonExtensions.AddStateJson"/>), so the silo needs to know none of them.
/// </summary>
public sealed class GrainStateJsonOptions
{
    /// <summary>The contexts, asked in order.</summary>
    public IList<JsonSerializerContext> Contexts { get; } = [];
}
