using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Metrics;

namespace OrleansVoucher.Api.Auth;

/// <summary>
/// Admits a metrics scrape: an operator's token on any port, or no token at all on the dedicated
/// scrape port (<see cref="MetricsOptions.ScrapePort"/>), which the deployment keeps off the public
/// network.
/// </summary>
internal sealed class MetricsScrapeRequirement : AuthorizationHandler<MetricsScrapeRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsScrapeRequirement requirement)
    {
        if (context.User.IsInRole(Roles.Operator) && AccessScope.From(context.User) is not null)
        {
            context.Succeed(requirement);
        }
        else if (context.Resource is HttpContext http
            && http.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.ScrapePort is { } port
            && http.Connection.LocalPort == port)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
