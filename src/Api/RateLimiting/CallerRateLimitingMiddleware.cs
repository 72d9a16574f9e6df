using System.Collections.Frozen;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OrleansVoucher.Api.Problems;

namespace OrleansVoucher.Api.RateLimiting;

/// <summary>
/// Applies the endpoint's rate-limit policy (<c>RequireRateLimiting</c>, the most specific one; none
/// with <c>DisableRateLimiting</c>) to the caller's bucket of that policy; a refusal is a 429
/// <c>rate-limited</c> problem with <c>Retry-After</c>. Token buckets hold no lease over a request,
/// so there is nothing to give back when it ends, and a request that passes costs one dictionary
/// lookup and one short lock.
/// </summary>
internal sealed class CallerRateLimitingMiddleware(RequestDelegate next, FrozenDictionary<string, CallerBuckets> policies, IProblemDetailsService problems)
{
    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<EnableRateLimitingAttribute>() is not { PolicyName: { } policy } || metadata.GetMetadata<DisableRateLimitingAttribute>() is not null)
        {
            return next(context);
        }

        if (!policies.TryGetValue(policy, out var buckets))
        {
            throw new InvalidOperationException($"The endpoint names the rate-limit policy '{policy}', which is not configured.");
        }

        var lease = buckets.Acquire(RateLimitingExtensions.PartitionKey(context));
        return lease.IsAcquired ? next(context) : RejectAsync(context, lease);
    }

    private async Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await problems.WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, $"Too many requests; retry in {seconds} s.");
    }
}
