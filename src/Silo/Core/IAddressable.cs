namespace OrleansVoucher.Silo;

/// <summary>Something with a grain identity: a grain, or a reference to one.</summary>
public interface IAddressable
{
    /// <summary>The grain's identity.</summary>
    GrainId GrainId { get; }
}
