using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansVoucher.Grains.Events;

namespace OrleansVoucher.Grains.Common;

/// <summary>Turns domain events into durable stream events and back (JSON with a <c>type</c> discriminator).</summary>
internal static class EventSerializer
{
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The event, to be appended to <paramref name="stream"/> under <paramref name="key"/>.</summary>
    public static StreamEventWrite ToStream(string stream, string key, DomainEvent domainEvent) =>
        new(stream, key, Serialize(domainEvent));

    /// <summary>The payload of the event, for appending it to one stream or several.</summary>
    public static byte[] Serialize(DomainEvent domainEvent) => JsonSerializer.SerializeToUtf8Bytes(domainEvent, s_options);

    /// <summary>A stored event.</summary>
    public static DomainEvent Read(StoredStreamEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return JsonSerializer.Deserialize<DomainEvent>(stored.Payload, s_options)
            ?? throw new JsonException($"Event {stored.Sequence} of {stored.Stream} is null.");
    }
}
