using System.Globalization;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Api.Auth;

/// <summary>
/// <c>dotnet run --project src/Api -- token --role institution --sub &lt;id&gt; [--region 350200] [--hours 8]</c>:
/// prints a token signed with the development key, for calling a local engine. It runs only in the
/// Development environment (which <c>dotnet run</c> selects through launchSettings.json), because only
/// <c>appsettings.Development.json</c> holds a signing key.
/// </summary>
public static class DevelopmentTokenCommand
{
    /// <summary>The command's name, the first argument.</summary>
    public const string Name = "token";

    private const string Usage =
        "usage: token --role authority|institution|worker|operator --sub <id> [--region <6-digit code, 000000 national>] [--hours <1-720>]";

    /// <summary>Whether the arguments ask for this command.</summary>
    public static bool IsInvoked(string[] args) => args is [Name, ..];

    /// <summary>Prints a token to <paramref name="output"/> and returns 0, or explains to <paramref name="error"/> and returns 2.</summary>
    public static int Run(IConfiguration configuration, IHostEnvironment environment, string[] args, TextWriter output, TextWriter error, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!environment.IsDevelopment())
        {
            error.WriteLine($"The token command signs with the development key, which only the Development environment has; this is '{environment.EnvironmentName}'. Run it with ASPNETCORE_ENVIRONMENT=Development (dotnet run does).");
            return 2;
        }

        if (Parse(args, error) is not { } request)
        {
            error.WriteLine(Usage);
            return 2;
        }

        var options = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (!options.SigningKeys.Any(k => !string.IsNullOrEmpty(k.HmacSecret)))
        {
            error.WriteLine("No HMAC key in Auth:SigningKeys: the development key belongs in appsettings.Development.json.");
            return 2;
        }

        var now = (time ?? TimeProvider.System).GetUtcNow();
        output.WriteLine(DevelopmentTokens.Issue(options, request.Role, request.Subject, request.Region, now, request.Lifetime));
        return 0;
    }

    private static TokenRequest? Parse(string[] args, TextWriter error)
    {
        string? role = null, subject = null, region = null;
        var hours = 8;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--role":
                    role = value;
                    break;
                case "--sub":
                    subject = value;
                    break;
                case "--region":
                    region = value;
                    break;
                case "--hours" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= 720:
                    hours = parsed;
                    break;
                default:
                    error.WriteLine($"Unexpected argument '{args[i]}'{(value is null ? "" : $" {value}")}.");
                    return null;
            }

            i++;
        }

        if (role is null || !Roles.All.Contains(role))
        {
            error.WriteLine($"--role must be one of {string.Join(", ", Roles.All)}.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(subject))
        {
            error.WriteLine("--sub is required: the institution id, the citizen id, or an account name.");
            return null;
        }

        if (role == Roles.Authority ? !AccessScope.IsScopeRegion(region) : region is not null)
        {
            error.WriteLine("--region (a 6-digit region code, or 000000 for the national authority) is required for an authority, and only for one.");
            return null;
        }

        if (role == Roles.Worker && !CitizenId.TryParse(subject, ChinaTime.DateOf(DateTimeOffset.UtcNow), out subject))
        {
            error.WriteLine("A worker's --sub must be a valid 18-character citizen id.");
            return null;
        }

        return new TokenRequest(role, subject, region, TimeSpan.FromHours(hours));
    }

    private sealed record TokenRequest(string Role, string Subject, string? Region, TimeSpan Lifetime);
}
