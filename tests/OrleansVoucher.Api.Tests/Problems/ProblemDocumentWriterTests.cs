using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Api.Endpoints;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Grains;

namespace OrleansVoucher.Api.Tests.Problems;

/// <summary>
/// The API's own problem documents are written straight to the response: every byte and header is
/// what the framework's writer, given the same problem, writes.
/// </summary>
public sealed class ProblemDocumentWriterTests : IAsyncLifetime
{
    private WebApplication _app = null!;

    public Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddVoucherProblems();
        builder.AddVoucherEndpoints();
        _app = builder.Build();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private IProblemDetailsWriter[] Writers => [.. _app.Services.GetServices<IProblemDetailsWriter>()];

    private IProblemDetailsWriter Framework => Writers.Single(writer => writer.GetType().Name == "DefaultProblemDetailsWriter");

    [Fact]
    public void It_is_asked_before_the_framework_writer()
    {
        var writers = Writers;
        Assert.IsType<ProblemDocumentWriter>(writers[0]);
        Assert.Contains(Framework, writers[1..]);
    }

    public static TheoryData<string, int, string?, string?, string[]> Problems => new()
    {
        { ProblemCodes.Of(RejectionCode.StockExhausted), 409, "The campaign's stock is used up.", null, [] },
        { ProblemCodes.OutOfScope, 403, null, null, [] },
        { ProblemCodes.Of(RejectionCode.LiveVoucherHeld), 409, "已持有有效培训券 VX-7K2M-9QPA，请先使用或等待其失效。", "/api/v1/campaigns/c-1/claims", [] },
        { ProblemCodes.Of(RejectionCode.InvalidRequest), 400, "Quotes \" and \\ back\\slash, <b>tags</b> & 'apostrophes', +plus, `tick`, \u0001\t\n, é, 😀", "a<b>&c", [] },
        { ProblemCodes.Of(RejectionCode.CampaignNotFound), 404, "", "", ["limit", "10", "reason", null!, "原因", "超出 <限额>"] },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public async Task A_problem_is_written_byte_for_byte_as_the_framework_writes_it(string code, int status, string? detail, string? instance, string[] members)
    {
        ProblemDetails Make()
        {
            var problem = ApiProblems.Create(code, status, detail).ProblemDetails;
            problem.Instance = instance;
            for (var i = 0; i < members.Length; i += 2)
            {
                problem.Extensions[members[i]] = members[i + 1];
            }

            return problem;
        }

        var ours = await WriteAsync(Writers[0], Make(), status, accept: null);
        var theirs = await WriteAsync(Framework, Make(), status, accept: null);

        Assert.Equal(theirs, ours);
        Assert.Contains("\"code\":\"" + code + "\"", ours.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("*/*", true)]
    [InlineData("text/html;q=0.9, application/*;q=0.1", true)]
    [InlineData("text/html", false)]
    [InlineData("text/plain, image/png", false)]
    [InlineData("\u0001not a media type", true)]
    public void It_offers_a_document_exactly_when_the_framework_writer_would(string accept, bool expected)
    {
        var context = Context(ApiProblems.Create(ProblemCodes.OutOfScope, 403).ProblemDetails, 403, accept);
        Assert.Equal(expected, Framework.CanWrite(context));
        Assert.Equal(expected, Writers[0].CanWrite(context));
    }

    [Fact]
    public void Problems_of_other_shapes_are_left_to_the_framework_writer()
    {
        var validation = new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["citizenId"] = ["Not a citizen id."] })
        {
            Status = 400,
            Title = "Validation failed",
            Type = ProblemTypes.For(ProblemCodes.Of(RejectionCode.InvalidRequest)),
        };
        var numbered = ApiProblems.Create(ProblemCodes.RateLimited, 429).ProblemDetails;
        numbered.Extensions["retryAfterSeconds"] = 3;
        var untitled = new ProblemDetails { Status = 404, Type = ProblemTypes.For(ProblemCodes.NotFound) };

        Assert.All(new[] { validation, numbered, untitled }, problem => Assert.False(Writers[0].CanWrite(Context(problem, problem.Status!.Value, null))));
    }

    private async Task<Written> WriteAsync(IProblemDetailsWriter writer, ProblemDetails problem, int status, string? accept)
    {
        var context = Context(problem, status, accept);
        Assert.True(writer.CanWrite(context));
        await writer.WriteAsync(context);
        await context.HttpContext.Response.CompleteAsync();
        var response = context.HttpContext.Response;
        var headers = string.Join("\n", response.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => h.Key + ": " + h.Value));
        return new Written(response.StatusCode, headers, Encoding.UTF8.GetString(((MemoryStream)response.Body).ToArray()));
    }

    private ProblemDetailsContext Context(ProblemDetails problem, int status, string? accept)
    {
        var http = new DefaultHttpContext { RequestServices = _app.Services, TraceIdentifier = "0HN7:00000001" };
        http.Response.Body = new MemoryStream();
        http.Response.StatusCode = status;
        if (accept is not null)
        {
            http.Request.Headers.Accept = accept;
        }

        return new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem };
    }

    private sealed record Written(int Status, string Headers, string Body);
}
