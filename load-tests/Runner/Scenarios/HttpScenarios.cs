namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// The built-in scenarios, usable against any HTTP endpoint: <c>http-get</c> calls one URL (e.g. the
/// engine's <c>/health/live</c>) and counts 2xx answers as ok.
/// </summary>
public sealed class HttpScenarios : IScenarioCatalog
{
    public const string HttpGet = "http-get";

    public void Register(ScenarioRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Add(
            HttpGet,
            "GET the target URL (--url, or \"target\" plus settings.path in a suite); 2xx is ok",
            CreateHttpGet);
    }

    /// <summary>
    /// GET the target URL, or the target joined with the <c>path</c> setting. Its own load, when none is
    /// given: 100 requests a second for the run's duration.
    /// </summary>
    public static Scenario CreateHttpGet(ScenarioFactoryContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var url = context.Setting("path") is { Length: > 0 } path ? new Uri(context.TargetUrl, path) : context.TargetUrl;
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ScenarioSetupException($"'{url}' is not an http or https URL.");
        }

        var http = context.Http;
        return Scenario.Create(context.Name, scenario => LoadHttpClient.GetAsync(http, url, scenario.CancellationToken))
            .WithDescription($"GET {url}")
            .WithLoadSimulations(Simulation.Inject(100, TimeSpan.FromSeconds(1), context.Settings.Duration));
    }
}
