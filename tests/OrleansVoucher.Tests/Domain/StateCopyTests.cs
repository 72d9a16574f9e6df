using System.Reflection;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Silo.Transactions;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// The states that make their own drafts (<see cref="ICopyableState{TState}"/>) copy everything a change
/// writes to: a draft holds what the committed state holds, and changing the draft in every way the
/// grains change it leaves the committed state as it was, so a refused or failed transaction leaves
/// nothing in memory that the store does not hold.
/// </summary>
public sealed class StateCopyTests
{
    private static readonly JsonGrainStateSerializer s_serializer = new();

    [Fact]
    public void An_institution_draft_is_independent_of_the_committed_state()
    {
        var state = new InstitutionState
        {
            Listing = new InstitutionListing { Name = "Fuzhou Tech", RegionCode = "350100", Occupations = ["4-01-02-01"] },
            Status = InstitutionStatus.Active,
            StatusReason = "listed",
            Strikes = [new Strike(StrikeKind.LaxEligibilityReview, "lax", DateTimeOffset.UnixEpoch)],
            StrikesClearedAt = DateTimeOffset.UnixEpoch,
            Verifications = 7,
            SettlementClaims = 3,
            TokenSecret = [1, 2, 3],
        };

        AssertIndependent(state, draft =>
        {
            draft.Strikes.Add(new Strike(StrikeKind.LaxEligibilityReview, "again", DateTimeOffset.UnixEpoch));
            draft.Status = InstitutionStatus.Suspended;
            draft.Verifications++;
        });
    }

    [Fact]
    public void A_voucher_draft_is_independent_of_the_committed_state()
    {
        var state = new VoucherState
        {
            CampaignId = "c1",
            RegionCode = "350100",
            CitizenId = "350102199001011234",
            Status = VoucherStatus.Claimed,
            Deadline = DateTimeOffset.UnixEpoch,
            Policy = RegionPolicy.Shaoxing,
            Parts = [new PartState { Part = TrainingPart.Whole, InstitutionId = "i1", AmountFen = 50_000 }],
            OccupationCode = "4-01-02-01",
        };

        AssertIndependent(state, draft =>
        {
            draft.Parts[0].Status = SettlementStatus.Claimed;
            draft.Parts[0].Reason = "claimed";
            draft.Parts.Add(new PartState { Part = TrainingPart.Whole });
            draft.Status = VoucherStatus.Activated;
        });
    }

    [Fact]
    public void A_worker_draft_is_independent_of_the_committed_state()
    {
        var state = new WorkerState
        {
            Attributes = new WorkerAttributes { Name = "Lin", Categories = ["RegisteredUnemployed"] },
            Held = { ["V1"] = new HeldState { CampaignId = "c1", Status = VoucherStatus.Claimed, Deadline = DateTimeOffset.UnixEpoch } },
            Slots = [new YearlySlot(2026, "4-01-02-01", "V0")],
        };

        AssertIndependent(state, draft =>
        {
            draft.Held["V1"].Status = VoucherStatus.Activated;
            draft.Held["V1"].Deadline = DateTimeOffset.UnixEpoch.AddDays(1);
            draft.Held["V2"] = new HeldState { CampaignId = "c2" };
            draft.Slots.Add(new YearlySlot(2026, "4-01-02-02", "V1"));
        });
    }

    [Fact]
    public void A_class_counters_draft_is_independent_of_the_committed_state()
    {
        var state = new ClassCounters
        {
            Enrolled = 2,
            NextOrdinal = 3,
            AttendedSessions = [0],
            Flags = [new Anomaly(AnomalyKind.RepeatedCheckIn, 0, "350102199001011234", DateTimeOffset.UnixEpoch, null)],
        };

        AssertIndependent(state, draft =>
        {
            draft.Enrolled++;
            draft.NextOrdinal++;
            draft.AttendedSessions.Add(1);
            draft.Flags.Add(new Anomaly(AnomalyKind.ImpossiblePosition, 1, "350102199001011234", DateTimeOffset.UnixEpoch, "far"));
        });
    }

    private static void AssertIndependent<TState>(TState state, Action<TState> change)
        where TState : class, ICopyableState<TState>
    {
        var committed = s_serializer.Serialize(state);
        var draft = state.Copy();
        Assert.NotSame(state, draft);
        Assert.Equal(committed, s_serializer.Serialize(draft));
        AssertSharesNothingMutable(state, draft);

        change(draft);

        Assert.NotEqual(committed, s_serializer.Serialize(draft));
        Assert.Equal(committed, s_serializer.Serialize(state));
    }

    /// <summary>
    /// Every property the copy shares with the original is immutable: a string, a value, a record or a
    /// byte array the grains only ever replace. A property added later as a mutable class or collection
    /// fails here until the state's copy copies it.
    /// </summary>
    private static void AssertSharesNothingMutable(object original, object copy)
    {
        foreach (var property in original.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(original);
            var type = property.PropertyType;
            if (value is null || type.IsValueType || type == typeof(string) || type == typeof(byte[]) || IsRecord(type))
            {
                continue;
            }

            var copied = property.GetValue(copy)!;
            Assert.False(ReferenceEquals(value, copied), $"{original.GetType().Name}.{property.Name} is shared by the draft.");
            if (value is System.Collections.IEnumerable items and not string)
            {
                var originals = items.Cast<object?>().Select(Item).ToList();
                var copies = ((System.Collections.IEnumerable)copied).Cast<object?>().Select(Item).ToList();
                for (var i = 0; i < originals.Count; i++)
                {
                    if (originals[i] is { } item && !IsRecord(item.GetType()) && item.GetType() != typeof(string))
                    {
                        Assert.False(ReferenceEquals(item, copies[i]), $"An item of {original.GetType().Name}.{property.Name} is shared by the draft.");
                        AssertSharesNothingMutable(item, copies[i]!);
                    }
                }
            }
        }

        // A dictionary's entries are compared by value.
        static object? Item(object? entry) =>
            entry?.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)
                ? t.GetProperty("Value")!.GetValue(entry)
                : entry;
    }

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null;
}
