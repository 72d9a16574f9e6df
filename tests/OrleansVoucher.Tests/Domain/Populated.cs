using System.Collections;
using System.Reflection;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// Instances of any state or event type with every member set, built by reflection: each string, number,
/// enum, time, nullable, collection and nested object holds a value that is not its default, so that
/// whatever writes it has something to write for every property.
/// </summary>
internal static class Populated
{
    private const int MaxDepth = 5;

    /// <summary>An instance of <paramref name="type"/> with every member set.</summary>
    public static object Of(Type type) => Value(type, 0) ?? throw new InvalidOperationException($"Cannot build a {type.Name}.");

    private static object? Value(Type type, int depth)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Value(underlying, depth);
        }

        if (type == typeof(string))
        {
            // Characters the writer escapes, and text that is not ASCII.
            return $"券-{depth}<\"&'>\u00e9";
        }

        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - 1);
        }

        if (Scalar(type) is { } scalar)
        {
            return scalar;
        }

        if (depth >= MaxDepth || type.IsAbstract && !type.IsInterface || type == typeof(object))
        {
            return null;
        }

        if (type.IsArray)
        {
            var array = Array.CreateInstance(type.GetElementType()!, 1);
            array.SetValue(Value(type.GetElementType()!, depth + 1), 0);
            return array;
        }

        if (type.IsGenericType && Collection(type, depth) is { } collection)
        {
            return collection;
        }

        return Object(type, depth);
    }

    private static object? Scalar(Type type) => type switch
    {
        _ when type == typeof(bool) => true,
        _ when type == typeof(int) => 7,
        _ when type == typeof(long) => 123_456_789_012L,
        _ when type == typeof(short) => (short)3,
        _ when type == typeof(byte) => (byte)5,
        _ when type == typeof(double) => 1.25,
        _ when type == typeof(float) => 2.5f,
        _ when type == typeof(decimal) => 12.34m,
        _ when type == typeof(DateTimeOffset) => new DateTimeOffset(2026, 12, 7, 13, 30, 12, TimeSpan.FromHours(8)).AddTicks(1_234_567),
        _ when type == typeof(DateTime) => new DateTime(2026, 12, 7, 5, 30, 12, DateTimeKind.Utc).AddTicks(1_234_567),
        _ when type == typeof(DateOnly) => new DateOnly(2026, 12, 7),
        _ when type == typeof(TimeSpan) => TimeSpan.FromMinutes(95.5),
        _ when type == typeof(Guid) => new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
        _ => null,
    };

    private static object? Collection(Type type, int depth)
    {
        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        if (arguments.Length == 2 && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
        {
            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(arguments))!;
            dictionary.Add(Value(arguments[0], depth + 1)!, Value(arguments[1], depth + 1));
            return dictionary;
        }

        if (arguments.Length != 1)
        {
            return null;
        }

        Type? concrete = null;
        if (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)
            || definition == typeof(ICollection<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>))
        {
            concrete = typeof(List<>);
        }
        else if (definition == typeof(HashSet<>) || definition == typeof(ISet<>) || definition == typeof(IReadOnlySet<>))
        {
            concrete = typeof(HashSet<>);
        }
        else if (definition == typeof(Queue<>))
        {
            concrete = typeof(Queue<>);
        }

        if (concrete is null)
        {
            return null;
        }

        var collection = Activator.CreateInstance(concrete.MakeGenericType(arguments))!;
        var add = collection.GetType().GetMethod(concrete == typeof(Queue<>) ? "Enqueue" : "Add")!;
        add.Invoke(collection, [Value(arguments[0], depth + 1)]);
        return collection;
    }

    private static object? Object(Type type, int depth)
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        object instance;
        if (type.GetConstructor(Instance, Type.EmptyTypes) is { } parameterless)
        {
            instance = parameterless.Invoke(null);
        }
        else if (type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault() is { } constructor)
        {
            instance = constructor.Invoke([.. constructor.GetParameters().Select(p => Value(p.ParameterType, depth + 1))]);
        }
        else if (type.IsValueType)
        {
            instance = Activator.CreateInstance(type)!;
        }
        else
        {
            return null;
        }

        foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.SetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0
                && Value(property.PropertyType, depth + 1) is { } value)
            {
                property.SetValue(instance, value);
            }
        }

        return instance;
    }
}
