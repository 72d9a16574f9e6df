using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansVoucher.Grains.Events;

namespace OrleansVoucher.Grains.Common;

/// <summary>Turns domain events into durable stream events and back (JSON with a <c>type</c> discriminator).</summary>
internal static class EventSerializer
{
    /// <summary>Buffers kept by a thread past one event are at most this large.</summary>
    private const int KeptBufferBytes = 1 << 20;

    /// <summary>
    /// Per event type: its generated code, and the payload's start as the serializer writes it for a
    /// <see cref="DomainEvent"/>, <c>{"type":"VoucherIssued"</c>.
    /// </summary>
    private static readonly FrozenDictionary<Type, (JsonTypeInfo TypeInfo, byte[] Start)> s_types = EventTypes();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The event, to be appended to <paramref name="stream"/> under <paramref name="key"/>.</summary>
    public static StreamEventWrite ToStream(string stream, string key, DomainEvent domainEvent) =>
        new(stream, key, Serialize(domainEvent));

    /// <summary>
    /// The payload of the event, for appending it to one stream or several: the JSON the serializer writes
    /// for it as a <see cref="DomainEvent"/>. It writes the discriminator, then the event's properties,
    /// and for a polymorphic base type it writes them by its slow path; so the discriminator is written
    /// here, and the properties by the generated code of the event's own type.
    /// </summary>
    public static byte[] Serialize(DomainEvent domainEvent)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        if (!s_types.TryGetValue(domainEvent.GetType(), out var type))
        {
            // Not a derived type the base declares: the serializer refuses it as it always did.
            return JsonSerializer.SerializeToUtf8Bytes(domainEvent, GrainsJsonContext.Default.DomainEvent);
        }

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        try
        {
            writer.Reset(buffer);
            JsonSerializer.Serialize(writer, domainEvent, type.TypeInfo);
            writer.Flush();

            // The event's own object, '{' then its properties then '}': its properties follow the discriminator.
            var properties = buffer.WrittenSpan[1..];
            var payload = new byte[type.Start.Length + (properties.Length > 1 ? 1 : 0) + properties.Length];
            type.Start.CopyTo(payload, 0);
            var rest = payload.AsSpan(type.Start.Length);
            if (properties.Length > 1)
            {
                rest[0] = (byte)',';
                rest = rest[1..];
            }

            properties.CopyTo(rest);
            return payload;
        }
        finally
        {
            if (buffer.Capacity > KeptBufferBytes)
            {
                t_buffer = null;
                t_writer = null;
            }
            else
            {
                buffer.ResetWrittenCount();
            }
        }
    }

    /// <summary>
    /// The payload of a bulk batch's <see cref="VouchersIssuedInBulk"/>, whose lists hold the vouchers'
    /// events already written by <see cref="Serialize"/> for their workers' streams (<paramref name="issued"/>
    /// of <see cref="VoucherIssued"/>, <paramref name="claimed"/> of <see cref="VoucherClaimed"/>, in list
    /// order): the bytes <see cref="Serialize"/> writes for the whole event, without writing each voucher's
    /// event a second time. A list element is the event's own object, its payload less the discriminator.
    /// </summary>
    public static byte[] SerializeBulk(DateTimeOffset at, string campaignId, IReadOnlyList<byte[]> issued, IReadOnlyList<byte[]> claimed)
    {
        ArgumentNullException.ThrowIfNull(issued);
        ArgumentNullException.ThrowIfNull(claimed);

        // The event with empty lists, and where each list closes.
        var frame = Serialize(new VouchersIssuedInBulk { At = at, CampaignId = campaignId });
        var (issuedAt, claimedAt) = ListEnds(frame);
        var issuedStart = s_types[typeof(VoucherIssued)].Start;
        var claimedStart = s_types[typeof(VoucherClaimed)].Start;
        var length = frame.Length + ElementsLength(issued, issuedStart) + ElementsLength(claimed, claimedStart);

        // The lists in the order the frame has them, each filled in before its closing bracket.
        var lists = new (int Close, IReadOnlyList<byte[]> Elements, byte[] Start)[] { (issuedAt, issued, issuedStart), (claimedAt, claimed, claimedStart) };
        if (lists[1].Close < lists[0].Close)
        {
            (lists[0], lists[1]) = (lists[1], lists[0]);
        }

        var payload = new byte[length];
        var target = payload.AsSpan();
        var copied = 0;
        foreach (var (close, elements, start) in lists)
        {
            frame.AsSpan(copied, close - copied).CopyTo(target);
            target = target[(close - copied)..];
            copied = close;
            for (var i = 0; i < elements.Count; i++)
            {
                if (i > 0)
                {
                    target[0] = (byte)',';
                    target = target[1..];
                }

                // '{' then the properties that follow the discriminator and its comma.
                target[0] = (byte)'{';
                var properties = elements[i].AsSpan(start.Length + 1);
                properties.CopyTo(target[1..]);
                target = target[(1 + properties.Length)..];
            }
        }

        frame.AsSpan(copied).CopyTo(target);
        return payload;

        static (int Issued, int Claimed) ListEnds(byte[] frame)
        {
            int issued = -1, claimed = -1;
            var reader = new Utf8JsonReader(frame);
            while (reader.Read())
            {
                if (reader.CurrentDepth != 1 || reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var name = reader.ValueTextEquals("issued"u8) ? 1 : reader.ValueTextEquals("claimed"u8) ? 2 : 0;
                reader.Read();
                if (name == 0 || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                // The empty list's closing bracket.
                reader.Read();
                if (name == 1)
                {
                    issued = (int)reader.TokenStartIndex;
                }
                else
                {
                    claimed = (int)reader.TokenStartIndex;
                }
            }

            return issued >= 0 && claimed >= 0
                ? (issued, claimed)
                : throw new InvalidOperationException("A bulk event's lists are not written as expected.");
        }

        static int ElementsLength(IReadOnlyList<byte[]> elements, byte[] start)
        {
            var length = Math.Max(0, elements.Count - 1);
            foreach (var element in elements)
            {
                // An event of the list's type has properties after its discriminator.
                if (!element.AsSpan().StartsWith(start) || element.Length <= start.Length + 1 || element[start.Length] != (byte)',')
                {
                    throw new ArgumentException("A list element is not a payload of the list's event type.", nameof(elements));
                }

                length += element.Length - start.Length;
            }

            return length;
        }
    }

    /// <summary>
    /// A stored event, read by reflection (the generated metadata reads no faster) with the options states
    /// are read with, which are the ones events were always written with.
    /// </summary>
    public static DomainEvent Read(StoredStreamEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return JsonSerializer.Deserialize<DomainEvent>(stored.Payload, JsonGrainStateSerializer.DefaultOptions)
            ?? throw new JsonException($"Event {stored.Sequence} of {stored.Stream} is null.");
    }

    private static FrozenDictionary<Type, (JsonTypeInfo, byte[])> EventTypes()
    {
        var context = GrainsJsonContext.Default;
        var polymorphism = context.DomainEvent.PolymorphismOptions!;
        var types = new Dictionary<Type, (JsonTypeInfo, byte[])>();
        foreach (var derived in polymorphism.DerivedTypes)
        {
            var start = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(start))
            {
                writer.WriteStartObject();
                writer.WriteString(polymorphism.TypeDiscriminatorPropertyName, (string)derived.TypeDiscriminator!);
            }

            types.Add(derived.DerivedType, (context.GetTypeInfo(derived.DerivedType)!, start.WrittenSpan.ToArray()));
        }

        return types.ToFrozenDictionary();
    }
}
