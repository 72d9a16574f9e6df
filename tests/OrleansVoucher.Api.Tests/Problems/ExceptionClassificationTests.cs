using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Api.Tests.Problems;

/// <summary>Which problem an exception becomes.</summary>
public sealed class ExceptionClassificationTests
{
    [Fact]
    public void A_lost_race_between_engines_is_a_retryable_409()
    {
        var (status, code, _) = ProblemExceptionHandler.Classify(new InconsistentStateException(new GrainStateKey("voucher", "state", "k"), 3, 4));

        Assert.Equal(409, status);
        Assert.Equal("concurrent-operation", code);
    }

    [Fact]
    public void Json_errors_inside_a_bad_request_keep_their_kind()
    {
        Assert.Equal(ProblemCodes.UnknownField, Classify(new JsonException("The JSON property 'x' could not be mapped to any .NET member contained in type 'T'.")));
        Assert.Equal(ProblemCodes.InvalidFieldType, Classify(new JsonException("The JSON value could not be converted to System.Int32.")));
        Assert.Equal(ProblemCodes.MissingField, Classify(new JsonException("JSON deserialization for type 'T' was missing required properties including: 'x'.")));
        Assert.Equal(ProblemCodes.MalformedJson, Classify(new JsonException("'x' is an invalid start of a value.")));
    }

    [Fact]
    public void Anything_else_is_a_500_that_tells_nothing_of_the_engine()
    {
        var (status, code, detail) = ProblemExceptionHandler.Classify(new InvalidOperationException("connection string Host=db;Password=secret"));

        Assert.Equal(500, status);
        Assert.Equal(ProblemCodes.InternalError, code);
        Assert.DoesNotContain("secret", detail, StringComparison.Ordinal);
    }

    private static string Classify(JsonException json) =>
        ProblemExceptionHandler.Classify(new BadHttpRequestException("Failed to read parameter.", 400, json)).Code;
}
