namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// An event appended to a durable stream in the same transaction as the state writes of its unit,
/// so that a change and the event announcing it are durable together or not at all.
/// </summary>
/// <param name="Stream">The stream's namespace, e.g. <c>voucher-events</c>.</param>
/// <param name="Key">The stream's key within the namespace, usually the emitting grain's key.</param>
/// <param name="Payload">The serialized event.</param>
public readonly record struct StreamEventWrite(string Stream, string Key, byte[] Payload);
