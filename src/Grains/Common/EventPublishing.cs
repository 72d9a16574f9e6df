using OrleansVoucher.Grains.Events;

namespace OrleansVoucher.Grains.Common;

/// <summary>Where each kind of event is appended.</summary>
internal static class EventPublishing
{
    /// <summary>
    /// The stream writes of a voucher event: its campaign's stream (statistics) and its holder's (archive).
    /// The event is serialized once; both writes carry the same payload, which nothing writes to.
    /// </summary>
    public static StreamEventWrite[] StreamsOf(VoucherEvent voucherEvent)
    {
        ArgumentNullException.ThrowIfNull(voucherEvent);
        var payload = EventSerializer.Serialize(voucherEvent);
        return
        [
            new(Streams.Campaign(voucherEvent.CampaignId), voucherEvent.Code, payload),
            new(Streams.Worker(voucherEvent.CitizenId), voucherEvent.Code, payload),
        ];
    }

    /// <summary>Adds a voucher event to a transaction's unit.</summary>
    public static void Publish(this TransactionCoordinator transaction, VoucherEvent voucherEvent)
    {
        foreach (var write in StreamsOf(voucherEvent))
        {
            transaction.Publish(write);
        }
    }

    /// <summary>Adds an event to a transaction's unit, on each of <paramref name="streams"/>.</summary>
    public static void Publish(this TransactionCoordinator transaction, DomainEvent domainEvent, string key, params string[] streams)
    {
        var payload = EventSerializer.Serialize(domainEvent);
        foreach (var stream in streams)
        {
            transaction.Publish(new StreamEventWrite(stream, key, payload));
        }
    }

    /// <summary>Enlists a transactional state of the coordinating grain itself.</summary>
    public static void EnlistSelf<TState>(this TransactionCoordinator transaction, TransactionalState<TState> state, TState draft)
        where TState : class, new()
    {
        var write = state.Prepare(transaction.Id, draft);
        transaction.Enlist(write, outcome =>
        {
            state.Complete(outcome);
            return Task.CompletedTask;
        });
    }

    /// <summary>Enlists a record the coordinating grain keeps besides its own state; a null draft clears it.</summary>
    public static void EnlistSelf<TState>(this TransactionCoordinator transaction, TransactionalRecord<TState> record, TState? draft)
        where TState : class, new()
    {
        var write = record.Prepare(transaction.Id, draft);
        transaction.Enlist(write, outcome =>
        {
            record.Complete(outcome);
            return Task.CompletedTask;
        });
    }
}
