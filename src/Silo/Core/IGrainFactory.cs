namespace OrleansVoucher.Silo;

/// <summary>Hands out references to grains. A reference is cheap; the grain is activated on its first call.</summary>
public interface IGrainFactory
{
    /// <summary>Gets a reference to the grain implementing <typeparamref name="TGrainInterface"/> with key <paramref name="key"/>.</summary>
    TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey;
}
