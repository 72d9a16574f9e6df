namespace OrleansVoucher.Api.Endpoints;

/// <summary>An example request body for the OpenAPI document; added by <see cref="EndpointConventions.WithRequestExample"/>.</summary>
/// <param name="Json">The example, as JSON.</param>
public sealed record RequestExample(string Json);
