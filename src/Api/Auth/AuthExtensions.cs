using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace OrleansVoucher.Api.Auth;

/// <summary>Registers bearer-token authentication and the role policies.</summary>
public static class AuthExtensions
{
    /// <summary>
    /// Adds JWT bearer authentication configured from the <c>Auth</c> section (validated at start: the
    /// engine does not start without a signing key), one policy per role (<see cref="AuthPolicies"/>),
    /// and a fallback policy that demands a valid token on every endpoint not marked anonymous.
    /// </summary>
    public static WebApplicationBuilder AddVoucherAuth(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        // The fallback names no scheme: the bearer scheme is the default one, which the authentication
        // middleware has already run for the request. Naming it would have authorization authenticate
        // again on every request that relies on the fallback (GET /me among them).
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AuthPolicies.Authority, policy => policy.RequireRole(Roles.Authority))
            .AddPolicy(AuthPolicies.Institution, policy => policy.RequireRole(Roles.Institution))
            .AddPolicy(AuthPolicies.Worker, policy => policy.RequireRole(Roles.Worker))
            .AddPolicy(AuthPolicies.Operator, policy => policy.RequireRole(Roles.Operator))
            .AddPolicy(AuthPolicies.MetricsScrape, policy => policy.AddRequirements(new MetricsScrapeRequirement()));
        return builder;
    }

    /// <summary>Authenticates and authorizes requests; call after routing.</summary>
    public static WebApplication UseVoucherAuth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
