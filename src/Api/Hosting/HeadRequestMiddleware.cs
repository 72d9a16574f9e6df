using Microsoft.AspNetCore.Http.Features;

namespace OrleansVoucher.Api.Hosting;

/// <summary>
/// Answers <c>HEAD</c> wherever <c>GET</c> is answered (RFC 9110, 9.3.2): the request is routed and
/// handled as a <c>GET</c> — same status, same headers — and whatever body it writes, problem documents
/// included, is dropped. Routing is the only step that sees <c>GET</c>: <see cref="RestoreMethod"/>, run
/// right after it, gives the request its own method back, so authorisation, rate limits, logs and
/// metrics see the <c>HEAD</c> it is.
/// </summary>
internal sealed class HeadRequestMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }

        var body = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, body));
        context.Features.Set(HeadRequest.Instance);
        context.Request.Method = HttpMethods.Get;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Method = HttpMethods.Head;
            context.Features.Set(body);
        }
    }

    /// <summary>Gives a <c>HEAD</c> request routed as a <c>GET</c> its own method back; call right after routing.</summary>
    public static Task RestoreMethod(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<HeadRequest>() is not null)
        {
            context.Request.Method = HttpMethods.Head;
        }

        return next(context);
    }

    /// <summary>Marks a request that came as <c>HEAD</c>.</summary>
    private sealed class HeadRequest
    {
        public static readonly HeadRequest Instance = new();
    }
}
