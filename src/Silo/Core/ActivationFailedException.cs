namespace OrleansVoucher.Silo;

/// <summary>A grain could not be activated (its state could not be read, or its activation hook failed).</summary>
public sealed class ActivationFailedException(GrainId grain, Exception innerException)
    : Exception($"Grain {grain} could not be activated: {innerException.Message}", innerException)
{
    /// <summary>The grain.</summary>
    public GrainId Grain { get; } = grain;
}
