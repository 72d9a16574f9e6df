namespace OrleansVoucher.Api.OpenApi;

/// <summary>Registers and serves the OpenAPI document and its browsable UI.</summary>
public static class OpenApiExtensions
{
    /// <summary>The document's name.</summary>
    public const string DocumentName = "v1";

    /// <summary>Where the document is served.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Where the UI is served.</summary>
    public const string UiPath = "docs";

    private static readonly PathString UiRoot = "/" + UiPath;

    /// <summary>
    /// Adds the <c>v1</c> document: the bearer security scheme on every operation that needs a token,
    /// the <c>Idempotency-Key</c> header where it is taken, and the problem responses every operation may give.
    /// </summary>
    public static WebApplicationBuilder AddVoucherOpenApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer<DocumentInfoTransformer>();
            options.AddOperationTransformer<OperationConventionsTransformer>();
            options.AddSchemaTransformer<EnumSchemaTransformer>();
            options.AddSchemaTransformer<TimeSchemaTransformer>();
        });
        return builder;
    }

    /// <summary>
    /// Serves the UI at <c>/docs</c>; call before authentication, the UI is open to all. Only requests
    /// under <c>/docs</c> pass through it: its path patterns are not matched against every API call.
    /// </summary>
    public static WebApplication UseVoucherApiDocs(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(UiRoot, StringComparison.OrdinalIgnoreCase),
            docs => docs.UseSwaggerUI(options =>
            {
                options.RoutePrefix = UiPath;
                options.DocumentTitle = "OrleansVoucher API";
                options.SwaggerEndpoint(DocumentPath, "OrleansVoucher API v1");
            }));
        return app;
    }

    /// <summary>Maps the document at <c>/openapi/v1.json</c>, open to all.</summary>
    public static WebApplication MapVoucherOpenApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }
}
