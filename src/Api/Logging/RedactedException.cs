namespace OrleansVoucher.Api.Logging;

/// <summary>
/// Stands in for a logged exception whose text carries a citizen id or a token: its message and its
/// printed form are those of the original, masked. The original type's name heads the message.
/// </summary>
internal sealed class RedactedException : Exception
{
    private readonly string _text;

    private RedactedException(Exception original)
        : base($"{original.GetType().FullName}: {Redact.Text(original.Message)}")
    {
        _text = Redact.Text(original.ToString());
        HResult = original.HResult;
    }

    public override string? StackTrace => null;

    /// <summary>The exception itself when it has nothing to mask, a masked stand-in otherwise.</summary>
    public static Exception? From(Exception? exception) =>
        exception is null || !Redact.MayContainSecret(exception.ToString()) ? exception : new RedactedException(exception);

    public override string ToString() => _text;
}
