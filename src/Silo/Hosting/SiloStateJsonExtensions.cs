using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>Lets the owner of grain states have them written by generated code.</summary>
public static class SiloStateJsonExtensions
{
    /// <summary>
    /// Writes the states of the types <paramref name="context"/> knows with its generated code
    /// (see <see cref="GrainStateJsonOptions"/>). Its options must be those of
    /// <see cref="JsonGrainStateSerializer.DefaultOptions"/>: the stored JSON does not change.
    /// </summary>
    public static ISiloBuilder AddStateJson(this ISiloBuilder builder, JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);
        builder.Services.Configure<GrainStateJsonOptions>(options => options.Contexts.Add(context));
        return builder;
    }
}
