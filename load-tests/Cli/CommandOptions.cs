using System.Globalization;

namespace OrleansVoucher.LoadTests.Cli;

/// <summary>The options given to a command, as <c>--name value</c> or <c>--name=value</c>.</summary>
internal sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values;

    private CommandOptions(Dictionary<string, string> values) => _values = values;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> for an unknown or incomplete option.</summary>
    public static CommandOptions Parse(ReadOnlySpan<string> args, IReadOnlyList<OptionDefinition> accepted)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ArgumentException($"Unexpected argument '{arg}'; options look like --name value.");
            }

            string name;
            string value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"Option --{name} needs a value.");
                }

                value = args[++i];
            }

            if (!accepted.Any(o => o.Name == name))
            {
                throw new ArgumentException($"Unknown option --{name}.");
            }

            values[name] = value;
        }

        return new CommandOptions(values);
    }

    public string? GetString(string name) => _values.GetValueOrDefault(name);

    public int GetInt32(string name, int defaultValue, int minimum)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return defaultValue;
        }

        if (!int.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            throw new OptionException($"--{name} must be a whole number of at least {minimum}; got '{text}'.");
        }

        return value;
    }

    public double GetDouble(string name, double defaultValue, double minimum)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return defaultValue;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            throw new OptionException($"--{name} must be a number of at least {minimum.ToString(CultureInfo.InvariantCulture)}; got '{text}'.");
        }

        return value;
    }
}

/// <summary>An option's value is malformed; the dispatcher prints it with the usage text.</summary>
internal sealed class OptionException(string message) : Exception(message);
