using OrleansVoucher.LoadTests.Benchmarks;
using OrleansVoucher.LoadTests.Cli;
using OrleansVoucher.LoadTests.Runner;
using OrleansVoucher.LoadTests.Runner.Cli;

namespace OrleansVoucher.Tests.LoadTesting;

/// <summary>
/// The program's help, as someone who has never used it finds their way: the top-level usage names
/// <c>run</c> as well as the benches, <c>--help</c> works after <c>bench</c> and after a bench's name, and a
/// mistake on <c>run</c>'s command line is shown with the synopsis rather than buried above every option.
/// Help that was asked for goes to stdout with exit code 0, so it can be piped into <c>less</c> or <c>grep</c>;
/// a usage mistake goes to stderr with a non-zero exit code.
/// </summary>
public sealed class CommandLineHelpTests
{
    private static CommandDispatcher Dispatcher(TextWriter usage, TextWriter? errors = null) => new CommandDispatcher("OrleansVoucher.LoadTests", usage, errors ?? new StringWriter())
        .Mention("run <scenario>", "a load test; 'run --help' lists its options")
        .Add("bench", "runtime", "grain calls/s", [new("duration", "seconds", "length of each timed phase")], (_, _) => Task.FromResult(0))
        .Add("bench", "http", "HTTP hot paths", [new("phases", "list", "which phases to run")], (_, _) => Task.FromResult(0));

    [Fact]
    public async Task The_top_level_help_names_the_run_command_and_every_bench()
    {
        using var usage = new StringWriter();

        Assert.Equal(0, await Dispatcher(usage).RunAsync(["--help"]));

        Assert.Contains("run <scenario>", usage.ToString(), StringComparison.Ordinal);
        Assert.Contains("bench runtime", usage.ToString(), StringComparison.Ordinal);
        Assert.Contains("bench http", usage.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench", "--help")]
    [InlineData("bench", "-h")]
    public async Task Help_after_the_verb_shows_its_commands(params string[] args)
    {
        using var usage = new StringWriter();

        Assert.Equal(0, await Dispatcher(usage).RunAsync(args));

        Assert.DoesNotContain("Unknown", usage.ToString(), StringComparison.Ordinal);
        Assert.Contains("bench runtime", usage.ToString(), StringComparison.Ordinal);
        Assert.Contains("bench http", usage.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench", "http", "--help")]
    [InlineData("bench", "http", "--phases", "health", "-h")]
    public async Task Help_after_a_bench_shows_its_options_alone(params string[] args)
    {
        using var usage = new StringWriter();

        Assert.Equal(0, await Dispatcher(usage).RunAsync(args));

        Assert.DoesNotContain("needs a value", usage.ToString(), StringComparison.Ordinal);
        Assert.Contains("--phases <list>", usage.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("bench runtime", usage.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("bench", "help")]
    [InlineData("bench", "runtime", "help")]
    public async Task Help_asked_for_at_any_level_goes_to_stdout_and_succeeds(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(0, await Dispatcher(output, errors).RunAsync(args));

        Assert.StartsWith("Usage: OrleansVoucher.LoadTests", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(errors.ToString());
    }

    [Theory]
    [InlineData("bench", "http", "--bogus", "1", "--help")]
    [InlineData("bench", "http", "--bogus", "-h")]
    [InlineData("bench", "http", "--phases", "nope", "help")]
    public async Task Help_wins_over_a_mistake_on_the_same_line(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(0, await Dispatcher(output, errors).RunAsync(args));

        Assert.Contains("--phases <list>", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(errors.ToString());
    }

    [Theory]
    [InlineData("help")]
    [InlineData("-h")]
    [InlineData("--help")]
    public async Task A_help_word_as_an_option_value_is_that_value_not_a_help_request(string word)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var dispatcher = new CommandDispatcher("OrleansVoucher.LoadTests", output, errors)
            .Add("bench", HttpBenchmark.Name, HttpBenchmark.Description, HttpBenchmark.Options, HttpBenchmark.RunAsync);

        Assert.Equal(2, await dispatcher.RunAsync(["bench", "http", "--phases", word]));

        Assert.Empty(output.ToString());
        Assert.StartsWith($"--phases takes some of health,me,verify,activate,claim; got '{word}'.", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_word_help_after_an_unknown_option_is_a_mistake_naming_that_option()
    {
        // The parser cannot tell whether --bogus meant to take 'help' as its value, so it is not a help request.
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(2, await Dispatcher(output, errors).RunAsync(["bench", "http", "--bogus", "help"]));

        Assert.Empty(output.ToString());
        Assert.StartsWith("Unknown option --bogus.", errors.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http-get", "--rate", "abc", "--help")]
    [InlineData("verify", "--rate", "abc", "--help")]
    [InlineData("--help", "http-get", "--rate", "abc")]
    [InlineData("http-get", "--rate", "abc", "-h")]
    [InlineData("http-get", "--bogus", "-h")]
    [InlineData("http-get", "--bogus", "--concurrency", "2", "--rate", "3", "help")]
    [InlineData("http-get", "--find-capacity", "help")]
    [InlineData("http-get", "--name", "help", "help")]
    public async Task Run_help_wins_over_a_mistake_on_the_same_line(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(0, await RunCommand.RunAsync(args, new ScenarioRegistry(), errors, output));

        Assert.StartsWith("Usage: OrleansVoucher.LoadTests run", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(errors.ToString());
    }

    [Theory]
    [InlineData("help")]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Run_takes_a_help_word_as_the_value_of_an_option_that_takes_one(string word)
    {
        var arguments = RunArguments.Parse(["http-get", "--name", word]);

        Assert.False(arguments.Help);
        Assert.Equal(word, arguments.Name);
        var mistake = Assert.Throws<FormatException>(() => RunArguments.Parse(["http-get", "--rate", word]));
        Assert.Contains($"got '{word}'", mistake.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_takes_the_word_help_after_an_unknown_option_as_a_mistake_naming_that_option()
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(2, await RunCommand.RunAsync(["verify", "--bogus", "help"], new ScenarioRegistry(), errors, output));

        Assert.Empty(output.ToString());
        Assert.StartsWith("Unknown option --bogus.", errors.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("frobnicate")]
    [InlineData("bench")]
    [InlineData("bench", "nope")]
    [InlineData("bench", "http", "--bogus", "1")]
    public async Task A_usage_mistake_goes_to_stderr_with_a_failing_exit_code(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(2, await Dispatcher(output, errors).RunAsync(args));

        Assert.Empty(output.ToString());
        Assert.Contains("Usage: OrleansVoucher.LoadTests", errors.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("http-get", "--help")]
    public async Task Run_help_goes_to_stdout_and_succeeds(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(0, await RunCommand.RunAsync(args, new ScenarioRegistry(), errors, output));

        Assert.StartsWith("Usage: OrleansVoucher.LoadTests run", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Scenarios:", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(errors.ToString());
    }

    [Fact]
    public async Task Run_without_a_scenario_is_a_usage_mistake_on_stderr()
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(2, await RunCommand.RunAsync([], new ScenarioRegistry(), errors, output));

        Assert.Empty(output.ToString());
        Assert.StartsWith("Usage: OrleansVoucher.LoadTests run", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scenario_list_goes_to_stdout()
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var registry = new ScenarioRegistry().Add("http-get", "GET a URL", _ => throw new InvalidOperationException("not run"));

        Assert.Equal(0, await RunCommand.RunAsync(["--list"], registry, errors, output));

        Assert.StartsWith("http-get", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(errors.ToString());
    }

    [Fact]
    public async Task A_bad_run_option_is_shown_with_the_synopsis_not_above_every_option()
    {
        using var usage = new StringWriter();
        using var output = new StringWriter();

        var exitCode = await RunCommand.RunAsync(["http-get", "--rate", "abc"], new ScenarioRegistry(), usage, output);

        Assert.Empty(output.ToString());
        Assert.Equal(2, exitCode);
        var lines = usage.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("--rate must be a number of requests per second above zero; got 'abc'.", lines[0].TrimEnd());
        Assert.InRange(lines.Length, 3, 8);
        Assert.Contains("'run --help' lists every option", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_help_shows_the_synopsis_the_docs_give()
    {
        using var usage = new StringWriter();

        Assert.Equal(0, await RunCommand.RunAsync(["--help"], new ScenarioRegistry(), TextWriter.Null, usage));

        var text = usage.ToString();
        Assert.Contains("[--url U | --store sqlite|postgres | --pg CONNECTION-STRING]", text, StringComparison.Ordinal);
        Assert.Contains("run --list", text, StringComparison.Ordinal);
        Assert.Contains("--find-capacity", text, StringComparison.Ordinal);
    }
}
