using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Admin;

/// <summary><c>/api/v1/admin</c>: the operator's controls of the engine.</summary>
public static class AdminEndpoints
{
    /// <summary>The longest idle age an operator may ask to collect at: a day.</summary>
    public const int MaxIdleSeconds = 86_400;

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/admin").WithTags("Administration").RequireAuthorization(AuthPolicies.Operator);
        group.MapGet("/silo", GetSilo)
            .WithName("GetSilo")
            .WithSummary("The silo's resident activations");
        group.MapPost("/activation-collections", CollectActivations)
            .WithName("CollectActivations")
            .WithSummary("Deactivates every activation idle for at least the given seconds (their state is durable already), freeing memory at once")
            .WithIdempotency();
        return api;
    }

    /// <summary>Answers with the number of resident activations.</summary>
    public static Ok<SiloStatus> GetSilo(SiloRuntime silo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return TypedResults.Ok(new SiloStatus(silo.ActivationCount));
    }

    /// <summary>Collects idle activations now, rather than at the next collection quantum.</summary>
    public static async Task<Results<Ok<ActivationCollection>, ValidationProblem>> CollectActivations(
        ActivationCollectionRequest request, SiloRuntime silo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(silo);
        var validation = new RequestValidation();
        var idleSeconds = validation.Range("idleForSeconds", request.IdleForSeconds, 0, MaxIdleSeconds);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var collected = await silo.CollectIdleActivationsAsync(TimeSpan.FromSeconds(idleSeconds!.Value));
        return TypedResults.Ok(new ActivationCollection(idleSeconds.Value, collected, silo.ActivationCount));
    }

    /// <summary>The silo's state.</summary>
    /// <param name="Activations">Resident activations.</param>
    public sealed record SiloStatus(long Activations);

    /// <summary>Asks to collect activations idle for at least <paramref name="IdleForSeconds"/> (0 to 86,400).</summary>
    /// <param name="IdleForSeconds">The idle age, in seconds.</param>
    public sealed record ActivationCollectionRequest(int IdleForSeconds);

    /// <summary>What a collection did.</summary>
    /// <param name="IdleForSeconds">The idle age asked for.</param>
    /// <param name="Collected">Activations deactivated.</param>
    /// <param name="Remaining">Activations still resident.</param>
    public sealed record ActivationCollection(int IdleForSeconds, int Collected, long Remaining);
}
