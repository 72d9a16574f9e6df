using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Runner;
using OrleansVoucher.LoadTests.Runner.Cli;

namespace OrleansVoucher.Tests.LoadTesting;

/// <summary>
/// Without <c>--url</c> the runner starts the engine on SQLite (the default) or PostgreSQL: <c>--store
/// postgres</c> for a throwaway server started as the tests start theirs, <c>--pg</c> for a given database.
/// </summary>
public sealed class EngineStoreTests
{
    [Fact]
    public void The_store_flags_parse()
    {
        Assert.Null(RunArguments.Parse(["activate"]).Store);
        Assert.Equal(EngineStore.Postgres, RunArguments.Parse(["activate", "--store", "postgres"]).Store);
        Assert.Equal(EngineStore.Sqlite, RunArguments.Parse(["activate", "--store=sqlite"]).Store);
        var pg = RunArguments.Parse(["activate", "--pg", "Host=127.0.0.1;Username=postgres;Database=vouchers"]);
        Assert.Equal("Host=127.0.0.1;Username=postgres;Database=vouchers", pg.Pg);
    }

    [Theory]
    [InlineData("activate", "--store", "mysql")]
    [InlineData("activate", "--store", "sqlite", "--pg", "Host=127.0.0.1")]
    [InlineData("activate", "--url", "http://127.0.0.1:5080", "--store", "postgres")]
    [InlineData("activate", "--url", "http://127.0.0.1:5080", "--pg", "Host=127.0.0.1")]
    [InlineData("activate", "--pg", " ")]
    public void Store_flags_that_cannot_apply_are_refused(params string[] args) => Assert.Throws<FormatException>(() => RunArguments.Parse(args));

    [Fact]
    public async Task An_engine_that_cannot_reach_its_database_fails_the_set_up_with_one_explained_line()
    {
        // Nothing listens on port 1: the engine ends at start, as it does for a database that does not exist.
        var options = new EngineOptions { Store = EngineStore.Postgres, PostgresConnectionString = "Host=127.0.0.1;Port=1;Username=postgres;Database=rehearsal" };

        var failure = await Assert.ThrowsAsync<EngineStartException>(() => LocalEngine.StartAsync(options, CancellationToken.None));

        Assert.StartsWith("the engine on PostgreSQL (--pg) did not start: The engine exited with", failure.Message, StringComparison.Ordinal);
        Assert.True(HookFailure.IsExplained(failure));
    }

    [Fact]
    public async Task A_wrong_store_in_a_suite_file_is_reported_as_the_files_not_as_a_flag()
    {
        var path = Path.Combine(Path.GetTempPath(), $"suite-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "store": "mysql", "scenarios": [ { "scenario": "http-get", "rate": 5, "duration": "2s" } ] }""");
        using var usage = new StringWriter();
        try
        {
            Assert.Equal(2, await RunCommand.RunAsync(["--config", path], new ScenarioRegistry(), usage));
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Equal($"{path}: \"store\" must be sqlite or postgres; got 'mysql'.", usage.ToString().Trim());
    }

    [Fact]
    public void A_suite_file_names_the_store_too()
    {
        var path = Path.Combine(Path.GetTempPath(), $"suite-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "store": "postgres", "pg": "Host=127.0.0.1;Database=rehearsal", "scenarios": [ { "scenario": "activate", "rate": 5, "duration": "2s" } ] }""");
        try
        {
            var suite = SuiteConfig.Load(path);
            Assert.Equal(EngineStore.Postgres, EngineOptions.ParseStore(suite.Store!));
            Assert.Equal("Host=127.0.0.1;Database=rehearsal", suite.Pg);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_reports_say_which_store_the_engine_ran_on()
    {
        Assert.Contains("SQLite", new EngineOptions().Describe(), StringComparison.Ordinal);
        Assert.Contains("throwaway", new EngineOptions { Store = EngineStore.Postgres }.Describe(), StringComparison.Ordinal);
        Assert.Contains("--pg", new EngineOptions { Store = EngineStore.Postgres, PostgresConnectionString = "Host=x" }.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_starts_on_a_throwaway_postgresql_and_the_activate_scenario_holds_its_invariants_there()
    {
        await using var engine = await LocalEngine.StartAsync(new EngineOptions { Store = EngineStore.Postgres }, CancellationToken.None);
        Assert.StartsWith("PostgreSQL", engine.StoreDescription, StringComparison.Ordinal);
        var runs = new DomainEngine();
        RunResult result;
        try
        {
            result = await runs.RunAsync("activate", engine.Address);
        }
        finally
        {
            await runs.DisposeAsync();
        }

        Assert.Empty(result.CleanFailures);
        Assert.Equal(10, Assert.Single(result.Scenarios).Ok);
    }
}
