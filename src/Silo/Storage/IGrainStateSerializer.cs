namespace OrleansVoucher.Silo.Storage;

/// <summary>Turns grain states into stored payloads and back.</summary>
public interface IGrainStateSerializer
{
    /// <summary>Serializes a state.</summary>
    byte[] Serialize<T>(T value);

    /// <summary>Deserializes a state.</summary>
    T Deserialize<T>(ReadOnlySpan<byte> payload);
}
