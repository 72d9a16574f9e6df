namespace OrleansVoucher.Grains;

/// <summary>The answer to a command without a value: success, or a rejection with a stable reason code.</summary>
public sealed record Result
{
    private Result(RejectionCode? rejection, string? detail)
    {
        Rejection = rejection;
        Detail = detail;
    }

    /// <summary>Success.</summary>
    public static Result Ok { get; } = new(null, null);

    /// <summary>The reason the request was refused; null on success.</summary>
    public RejectionCode? Rejection { get; }

    /// <summary>A human-readable explanation of a rejection.</summary>
    public string? Detail { get; }

    /// <summary>Whether the request succeeded.</summary>
    public bool IsSuccess => Rejection is null;

    /// <summary>A rejection.</summary>
    public static Result Reject(RejectionCode code, string? detail = null) => new(code, detail);
}

/// <summary>The answer to a request with a value: the value, or a rejection with a stable reason code.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public sealed record Result<T>
{
    private Result(T? value, RejectionCode? rejection, string? detail)
    {
        Value = value;
        Rejection = rejection;
        Detail = detail;
    }

    /// <summary>The value on success; default otherwise.</summary>
    public T? Value { get; }

    /// <summary>The reason the request was refused; null on success.</summary>
    public RejectionCode? Rejection { get; }

    /// <summary>A human-readable explanation of a rejection.</summary>
    public string? Detail { get; }

    /// <summary>Whether the request succeeded.</summary>
    public bool IsSuccess => Rejection is null;

    /// <summary>A success carrying <paramref name="value"/>.</summary>
    public static Result<T> Ok(T value) => new(value, null, null);

    /// <summary>A rejection.</summary>
    public static Result<T> Reject(RejectionCode code, string? detail = null) => new(default, code, detail);

    /// <summary>The same rejection as <paramref name="rejected"/>, which must be one.</summary>
    public static Result<T> From(Result rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        return rejected.Rejection is { } code
            ? new(default, code, rejected.Detail)
            : throw new ArgumentException("Only a rejection converts to a result of another type.", nameof(rejected));
    }

    /// <summary>The value of a success; throws for a rejection.</summary>
    public T GetValueOrThrow() => IsSuccess ? Value! : throw new InvalidOperationException($"The request was rejected: {Rejection} {Detail}");

    /// <summary>This result without its value.</summary>
    public Result ToResult() => Rejection is { } code ? Result.Reject(code, Detail) : Result.Ok;
}
