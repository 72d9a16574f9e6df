using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// States and events are written by generated code (<see cref="GrainsJsonContext"/>), and stored before
/// that by reflection: the two must write the same bytes, or records written one way would read back
/// differently, or not at all, the other way. Every type the context lists, and every event, is written
/// both ways, populated and (where it can be built empty) with its defaults, and read back.
/// </summary>
public sealed class GeneratedJsonTests
{
    /// <summary>The options states and events were written with by reflection.</summary>
    private static readonly JsonSerializerOptions s_reflection = ReflectionOptions();

    private static readonly JsonGrainStateSerializer s_generated = new([GrainsJsonContext.Default]);

    public static TheoryData<string> StateTypes() =>
        [.. typeof(GrainsJsonContext).GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!)
            .Where(t => t != typeof(DomainEvent))
            .Select(t => t.FullName!)];

    public static TheoryData<string> EventTypes() =>
        [.. typeof(DomainEvent).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType.FullName!)];

    [Theory]
    [MemberData(nameof(StateTypes))]
    public void A_state_is_written_as_reflection_wrote_it(string typeName)
    {
        var type = GrainsType(typeName);
        Assert.NotNull(GrainsJsonContext.Default.GetTypeInfo(type));
        foreach (var (state, populated) in Instances(type))
        {
            var expected = JsonSerializer.SerializeToUtf8Bytes(state, type, s_reflection);
            var written = (byte[])Generic(nameof(JsonGrainStateSerializer.Serialize), type).Invoke(s_generated, [state])!;
            AssertSame(expected, written);
            if (!populated)
            {
                continue;
            }

            var read = Generic(nameof(ReadState), type).Invoke(null, [expected]);
            AssertSame(expected, JsonSerializer.SerializeToUtf8Bytes(read, type, s_reflection));
        }
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void An_event_is_written_as_reflection_wrote_it(string typeName)
    {
        foreach (var (instance, populated) in Instances(GrainsType(typeName)))
        {
            var domainEvent = (DomainEvent)instance;
            var expected = JsonSerializer.SerializeToUtf8Bytes(domainEvent, s_reflection);
            AssertSame(expected, EventSerializer.Serialize(domainEvent));
            if (!populated)
            {
                continue;
            }

            var read = EventSerializer.Read(new StoredStreamEvent(1, "s", "k", expected, DateTimeOffset.UnixEpoch));
            Assert.IsType(domainEvent.GetType(), read);
            AssertSame(expected, JsonSerializer.SerializeToUtf8Bytes(read, s_reflection));
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 0)]
    [InlineData(0, 2)]
    [InlineData(2, 3)]
    public void A_bulk_event_built_from_its_vouchers_payloads_is_the_event_written_whole(int issuedCount, int claimedCount)
    {
        // Populated events (strings the writer escapes, every optional member set) and bare ones.
        var issued = Enumerable.Range(0, issuedCount)
            .Select(i => i % 2 == 0 ? (VoucherIssued)Populated.Of(typeof(VoucherIssued)) with { Code = $"FJ{i}" } : new VoucherIssued { At = DateTimeOffset.UnixEpoch, Code = $"FJ{i}", CampaignId = "c", CitizenId = "w", To = VoucherStatus.Issued })
            .ToList();
        var claimed = Enumerable.Range(0, claimedCount)
            .Select(i => i % 2 == 0 ? (VoucherClaimed)Populated.Of(typeof(VoucherClaimed)) with { Code = $"SX{i}" } : new VoucherClaimed { At = DateTimeOffset.UnixEpoch, Code = $"SX{i}", CampaignId = "c", CitizenId = "w", To = VoucherStatus.Claimed })
            .ToList();

        // A campaign id holding a list's text cannot mislead the splice.
        const string CampaignId = "fj-\"issued\":[]-\"claimed\":[]";
        var at = new DateTimeOffset(2026, 12, 7, 8, 30, 0, TimeSpan.FromHours(8));
        var whole = EventSerializer.Serialize(new VouchersIssuedInBulk { At = at, CampaignId = CampaignId, Issued = issued, Claimed = claimed });

        var spliced = EventSerializer.SerializeBulk(at, CampaignId, [.. issued.Select(EventSerializer.Serialize)], [.. claimed.Select(EventSerializer.Serialize)]);

        AssertSame(whole, spliced);
        var read = Assert.IsType<VouchersIssuedInBulk>(EventSerializer.Read(new StoredStreamEvent(1, "s", "k", spliced, DateTimeOffset.UnixEpoch)));
        Assert.Equal(issued.Select(e => e.Code), read.Issued.Select(e => e.Code));
        Assert.Equal(claimed.Select(e => e.Code), read.Claimed.Select(e => e.Code));
    }

    [Fact]
    public void A_bulk_event_refuses_an_element_of_another_event_type()
    {
        var claimed = EventSerializer.Serialize(new VoucherClaimed { At = DateTimeOffset.UnixEpoch, Code = "SX1", CampaignId = "c", CitizenId = "w", To = VoucherStatus.Claimed });

        Assert.Throws<ArgumentException>(() => EventSerializer.SerializeBulk(DateTimeOffset.UnixEpoch, "c", [claimed], []));
    }

    [Fact]
    public void Every_persisted_state_of_a_grain_has_generated_code()
    {
        var persisted = VoucherGrains.Assembly.GetTypes()
            .SelectMany(t => t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            .SelectMany(c => c.GetParameters())
            .Select(p => p.ParameterType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IPersistentState<>))
            .Select(t => t.GetGenericArguments()[0])
            .Distinct()
            .ToList();

        Assert.NotEmpty(persisted);
        Assert.All(persisted, t => Assert.True(GrainsJsonContext.Default.GetTypeInfo(t) is not null, $"{t.Name} is written by reflection."));
    }

    [Fact]
    public void A_state_without_generated_code_is_written_by_reflection_into_fresh_options()
    {
        // Options no call has used yet, as a host that writes a new state before it reads any has them.
        var serializer = new JsonGrainStateSerializer([GrainsJsonContext.Default], ReflectionOptions());
        var state = new UnregisteredState { Count = 3, Mode = JsonIgnoreCondition.Never };

        AssertSame(JsonSerializer.SerializeToUtf8Bytes(state, s_reflection), serializer.Serialize(state));
        Assert.Equal(3, serializer.Deserialize<UnregisteredState>(serializer.Serialize(state)).Count);
    }

    private static JsonSerializerOptions ReflectionOptions() => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    private static T ReadState<T>(byte[] payload) => s_generated.Deserialize<T>(payload);

    private static MethodInfo Generic(string name, Type type) =>
        (typeof(JsonGrainStateSerializer).GetMethod(name) ?? typeof(GeneratedJsonTests).GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic))!
            .MakeGenericMethod(type);

    private static Type GrainsType(string name) =>
        VoucherGrains.Assembly.GetType(name) ?? typeof(DomainEvent).Assembly.GetType(name) ?? throw new InvalidOperationException(name);

    /// <summary>
    /// The type populated, and empty if it has a parameterless constructor (its nulls are left out; it is
    /// only written, as an empty event lacks its required members).
    /// </summary>
    private static IEnumerable<(object Instance, bool Populated)> Instances(Type type)
    {
        yield return (Populated.Of(type), true);
        if (type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is { } empty)
        {
            yield return (empty.Invoke(null), false);
        }
    }

    private static void AssertSame(byte[] expected, byte[] actual) =>
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));

    /// <summary>A state type that no generated context knows.</summary>
    public sealed class UnregisteredState
    {
        public int Count { get; set; }

        public JsonIgnoreCondition Mode { get; set; }

        public string? Missing { get; set; }
    }
}
