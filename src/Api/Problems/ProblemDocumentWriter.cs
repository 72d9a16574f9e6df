using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// Writes the problem documents the API makes itself — a plain <see cref="ProblemDetails"/> with its
/// type, title and status set and only text in its further members — straight to the response, with
/// the same headers and bytes the framework's writer produces by serializing the object and its member
/// dictionary. It sits before the framework's writer; every other problem is left to that one.
/// </summary>
/// <remarks>
/// A sold-out claim, the most frequent problem of a claim storm, spent about half of its answer's cost
/// in the serializer's generic path for <see cref="ProblemDetails.Extensions"/>. What stays the same:
/// the document is offered only when the request accepts JSON (as the framework decides it), the
/// <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/> hook runs first, members come in the
/// serializer's order (type, title, status, detail, instance, then the further members as added),
/// text is escaped with the API's JSON encoder, and the headers go out before the body, which is then
/// flushed, as <c>WriteAsJsonAsync</c> does.
/// </remarks>
internal sealed class ProblemDocumentWriter(IOptions<ProblemDetailsOptions> problems, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    private const string ProblemJson = "application/problem+json";

    private static readonly MediaTypeHeaderValue s_jsonMediaType = new("application/json");
    private static readonly MediaTypeHeaderValue s_problemJsonMediaType = new(ProblemJson);
    private static readonly JsonEncodedText s_type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText s_title = JsonEncodedText.Encode("title");
    private static readonly JsonEncodedText s_status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText s_detail = JsonEncodedText.Encode("detail");
    private static readonly JsonEncodedText s_instance = JsonEncodedText.Encode("instance");

    private readonly JsonWriterOptions _writerOptions = WriterOptions(json.Value.SerializerOptions);

    public bool CanWrite(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return IsPlain(context.ProblemDetails) && AcceptsJson(context.HttpContext.Request);
    }

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The framework's writer first fills in a missing status, title and type; a plain problem has them.
        problems.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        var response = context.HttpContext.Response;
        if (!IsPlain(problem))
        {
            // Made other by the hook: written as the framework's writer writes a problem with members.
            return new ValueTask(response.WriteAsJsonAsync(problem, options: null, contentType: ProblemJson));
        }

        response.ContentType = ProblemJson;
        return new ValueTask(WriteDocumentAsync(response, response.HasStarted ? Task.CompletedTask : response.StartAsync(), problem));
    }

    /// <summary>Whether <paramref name="problem"/> is one this writer writes itself.</summary>
    internal static bool IsPlain(ProblemDetails problem)
    {
        if (problem.GetType() != typeof(ProblemDetails) || problem.Status is null || problem.Title is null || problem.Type is null)
        {
            return false;
        }

        foreach (var (_, value) in problem.Extensions)
        {
            if (value is not (string or null))
            {
                return false;
            }
        }

        return true;
    }

    // As the framework's writer decides it: no Accept header, or one that takes JSON or problem JSON.
    private static bool AcceptsJson(HttpRequest request)
    {
        if (request.Headers.Accept.Count == 0)
        {
            return true;
        }

        var types = request.GetTypedHeaders().Accept;
        if (types.Count == 0)
        {
            return true;
        }

        foreach (var type in types)
        {
            if (s_jsonMediaType.IsSubsetOf(type) || s_problemJsonMediaType.IsSubsetOf(type))
            {
                return true;
            }
        }

        return false;
    }

    private async Task WriteDocumentAsync(HttpResponse response, Task started, ProblemDetails problem)
    {
        // As WriteAsJsonAsync without a token of the caller's: a client that went away ends the write quietly.
        try
        {
            await started.ConfigureAwait(false);
            var body = response.BodyWriter;
            using (var writer = new Utf8JsonWriter(body, _writerOptions))
            {
                Write(writer, problem);
            }

            await body.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void Write(Utf8JsonWriter writer, ProblemDetails problem)
    {
        writer.WriteStartObject();
        writer.WriteString(s_type, problem.Type);
        writer.WriteString(s_title, problem.Title);
        writer.WriteNumber(s_status, problem.Status!.Value);
        if (problem.Detail is { } detail)
        {
            writer.WriteString(s_detail, detail);
        }

        if (problem.Instance is { } instance)
        {
            writer.WriteString(s_instance, instance);
        }

        foreach (var (name, value) in problem.Extensions)
        {
            writer.WriteString(name, (string?)value);
        }

        writer.WriteEndObject();
    }

    // The writer options the serializer derives from the API's JSON options.
    private static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        IndentCharacter = options.IndentCharacter,
        IndentSize = options.IndentSize,
        NewLine = options.NewLine,
        MaxDepth = options.MaxDepth,
        SkipValidation = true,
    };
}
