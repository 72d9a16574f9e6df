namespace OrleansVoucher.Silo.Storage;

/// <summary>A durable stream event as read back: its store-wide sequence number and commit time.</summary>
public sealed record StoredStreamEvent(long Sequence, string Stream, string Key, byte[] Payload, DateTimeOffset CommittedAt);
