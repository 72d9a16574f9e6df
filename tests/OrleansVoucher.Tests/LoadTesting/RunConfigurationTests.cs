using System.Net;
using OrleansVoucher.LoadTests.Runner;
using OrleansVoucher.LoadTests.Runner.Cli;
using static OrleansVoucher.Tests.LoadTesting.FakeRuns;

namespace OrleansVoucher.Tests.LoadTesting;

public sealed class RunConfigurationTests
{
    [Fact]
    public void Command_line_options_parse_with_repeated_thresholds()
    {
        var arguments = RunArguments.Parse(
        [
            "http-get", "--url", "http://127.0.0.1:5080/health/live", "--rate", "500", "--duration=30s", "--warmup", "0",
            "--threshold", "p99<=25ms", "--threshold=fail_percent<=0.1", "--report-dir", "out", "--setting", "path=/health/ready",
        ]);

        Assert.Equal("http-get", arguments.Scenario);
        Assert.Equal(500, arguments.Rate);
        Assert.Equal(S(30), arguments.Duration);
        Assert.Equal(TimeSpan.Zero, arguments.WarmUp);
        Assert.Equal(new[] { "p99 <= 25ms", "fail_percent <= 0.1%" }, arguments.Thresholds.Select(t => t.Text));
        Assert.Equal("/health/ready", arguments.Settings["path"]);
        Assert.Equal("out", arguments.ReportDir);
    }

    [Theory]
    [InlineData("http-get", "--rate", "10", "--concurrency", "5")]
    [InlineData("http-get", "--rate", "fast")]
    [InlineData("http-get", "--duration", "soon")]
    [InlineData("http-get", "--unknown", "1")]
    [InlineData("http-get", "--threshold")]
    [InlineData("a", "b")]
    [InlineData("http-get", "--iterations", "100")]
    public void Bad_command_lines_are_rejected(params string[] args) => Assert.Throws<FormatException>(() => RunArguments.Parse(args));

    [Fact]
    public void Rate_and_concurrency_become_the_load_simulations()
    {
        Assert.Equal(
            new[] { "ramping inject to 200/1s over 10s", "inject 200/1s for 1m" },
            new RunSettings { Rate = 200, RampUp = S(10), Duration = TimeSpan.FromMinutes(1) }.LoadSimulations()!.Select(s => s.Describe()));
        Assert.Equal(
            new[] { "keep constant 16 copies for 1,000 iterations" },
            new RunSettings { Concurrency = 16, Iterations = 1000 }.LoadSimulations()!.Select(s => s.Describe()));
        Assert.Null(new RunSettings().LoadSimulations());
    }

    [Fact]
    public void A_suite_file_gives_scenarios_loads_and_thresholds()
    {
        var suite = SuiteConfig.Parse("""
            {
              // comments are allowed
              "name": "campaign rehearsal",
              "target": "http://127.0.0.1:5080",
              "thresholds": ["fail_percent <= 0.1"],
              "scenarios": [
                {
                  "scenario": "http-get",
                  "name": "live",
                  "settings": { "path": "/health/live" },
                  "warmUp": "5s",
                  "load": [
                    { "type": "ramping-inject", "rate": 500, "interval": "1s", "during": "10s" },
                    { "type": "inject", "rate": 500, "during": "30s" },
                    { "type": "pause", "during": "5s" },
                  ],
                  "thresholds": ["p99 <= 25ms"]
                }
              ]
            }
            """);

        var scenario = Assert.Single(suite.Scenarios!);
        Assert.Equal("live", scenario.Name);
        Assert.Equal(
            new[] { "ramping inject to 500/1s over 10s", "inject 500/1s for 30s", "pause for 5s" },
            scenario.Load!.Select((l, i) => l.ToSimulation($"load[{i}]").Describe()));
        Assert.Equal("p99 <= 25ms", Threshold.Parse(Assert.Single(scenario.Thresholds!)).Text);
    }

    [Theory]
    [InlineData("""{ "scenarios": [] }""")]
    [InlineData("""{ "scenarios": [ { "name": "no registered scenario" } ] }""")]
    [InlineData("""{ "scenarios": [ { "scenario": "http-get" } ], "trheshold": [] }""")]
    public void Suite_mistakes_are_reported(string json) => Assert.Throws<FormatException>(() => SuiteConfig.Parse(json));

    [Fact]
    public void A_misspelt_property_is_named_with_where_it_is_not_with_the_runners_types()
    {
        var json = """
            {
              "scenarios": [
                { "scenario": "http-get", "rate": 10,
                  "duratoin": "1s" }
              ]
            }
            """;

        var error = Assert.Throws<FormatException>(() => SuiteConfig.Parse(json, "suite.json"));

        Assert.StartsWith("suite.json: unknown property \"duratoin\" (at $.scenarios[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("OrleansVoucher", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "scenarios": [ { "scenario": "http-get", "rate": "ten" } ] }""", "$.scenarios[0].rate", "expected a number")]
    [InlineData("""{ "warmUp": 5, "scenarios": [ { "scenario": "http-get" } ] }""", "$.warmUp", "expected a string (durations are strings such as \"30s\")")]
    [InlineData("""{ "thresholds": "p99 <= 25ms", "scenarios": [ { "scenario": "http-get" } ] }""", "$.thresholds", "expected a list")]
    public void A_value_of_the_wrong_type_says_where_and_what_was_expected(string json, string path, string expected)
    {
        var error = Assert.Throws<FormatException>(() => SuiteConfig.Parse(json, "suite.json"));

        Assert.StartsWith($"suite.json: a value of the wrong type (at {path}, line 1): {expected}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_phases_missing_a_field_are_reported() =>
        Assert.Throws<FormatException>(() => new SuiteLoad { Type = "keep-constant", During = "10s" }.ToSimulation("load[0]"));

    [Fact]
    public void The_registry_finds_the_built_in_http_scenario_and_builds_its_url()
    {
        var registry = ScenarioRegistry.CreateDefault();
        Assert.True(registry.TryGet("http-get", out var registration));

        using var http = new HttpClient();
        var settings = System.Text.Json.JsonSerializer.SerializeToElement(new { path = "/health/ready" });
        var scenario = registration.Create(new ScenarioFactoryContext(
            "ready",
            new RunSettings { TargetUrl = new Uri("http://127.0.0.1:5080/") },
            http,
            settings,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));

        Assert.Equal("ready", scenario.Name);
        Assert.Equal("GET http://127.0.0.1:5080/health/ready", scenario.Description);
        Assert.Throws<ScenarioSetupException>(() => registration.Create(new ScenarioFactoryContext(
            "no-target", new RunSettings(), http, null, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)));
    }

    [Fact]
    public async Task Http_answers_become_responses_with_status_code_reason_and_size()
    {
        using var http = new HttpClient(new StubHandler(request => request.RequestUri!.AbsolutePath switch
        {
            "/ok" => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[1234]) },
            "/busy" => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("later") },
            _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"),
        }));

        var ok = await LoadHttpClient.GetAsync(http, new Uri("http://127.0.0.1:5080/ok"), CancellationToken.None);
        var busy = await LoadHttpClient.GetAsync(http, new Uri("http://127.0.0.1:5080/busy"), CancellationToken.None);
        var refused = await LoadHttpClient.GetAsync(http, new Uri("http://127.0.0.1:5080/down"), CancellationToken.None);

        Assert.True(ok.IsOk);
        Assert.Equal("200", ok.StatusCode);
        Assert.Equal(1234, ok.SizeBytes);
        Assert.True(busy.IsError);
        Assert.Equal("503", busy.StatusCode);
        Assert.Equal("HTTP 503 Service Unavailable", busy.Reason);
        Assert.True(refused.IsError);
        Assert.Equal("ConnectionError: Connection refused", refused.Reason);
    }

    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
