using Npgsql;
using NpgsqlTypes;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>
/// State keys as the store's statements take them: three text arrays (grain types, state names, grain
/// keys), parameters <c>$n</c> to <c>$n+2</c> of an <c>unnest(…) WITH ORDINALITY</c>.
/// </summary>
internal static class PostgreSqlKeyArrays
{
    /// <summary>Adds the three arrays of <paramref name="keys"/>, in order.</summary>
    public static void Add(NpgsqlParameterCollection parameters, IReadOnlyList<GrainStateKey> keys)
    {
        var count = keys.Count;
        var grainTypes = new string[count];
        var stateNames = new string[count];
        var grainKeys = new string[count];
        for (var i = 0; i < count; i++)
        {
            (grainTypes[i], stateNames[i], grainKeys[i]) = (keys[i].GrainType, keys[i].StateName, keys[i].GrainKey);
        }

        Add(parameters, grainTypes, stateNames, grainKeys);
    }

    /// <summary>Adds the three arrays, in order.</summary>
    public static void Add(NpgsqlParameterCollection parameters, string[] grainTypes, string[] stateNames, string[] grainKeys)
    {
        parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = grainTypes });
        parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = stateNames });
        parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = grainKeys });
    }
}
