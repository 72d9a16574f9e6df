using Microsoft.Extensions.Options;
using OrleansVoucher.Silo;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Api.Idempotency;

/// <summary>
/// Keeps one idempotency record. Expiry is by the clock, checked on every call: a completed record
/// past <see cref="IdempotencyOptions.Retention"/> and an in-flight record past its lease
/// (<see cref="IdempotencyOptions.InFlightLease"/>, for a process that crashed mid-request) count as
/// absent and are overwritten by the next request with the key. The stored record declares its expiry
/// (<see cref="IdempotencyRecordState"/>), so the silo deletes it from storage once it has been expired
/// for the sweep's grace period.
/// </summary>
[GrainType("idempotency-record")]
internal sealed class IdempotencyRecordGrain(
    [PersistentState("record")] IPersistentState<IdempotencyRecordState> record,
    IOptions<IdempotencyOptions> options,
    TimeProvider time) : Grain, IIdempotencyRecordGrain
{
    public async Task<IdempotencyDecision> BeginAsync(string fingerprint)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        try
        {
            return await DecideAsync(fingerprint, reread: true);
        }
        catch (InconsistentStateException)
        {
            // Another engine process wrote this record since this activation read it: decide again on
            // what it wrote.
            await record.ReadStateAsync();
            return await DecideAsync(fingerprint, reread: false);
        }
    }

    public async Task<bool> CompleteAsync(Guid lease, IdempotentResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        await ReadAgainIfExpiredAsync();
        if (!HoldsLease(lease))
        {
            return false;
        }

        var state = record.State;
        state.Status = IdempotencyRecordStatus.Completed;
        state.Response = response;
        state.ExpiresAt = time.GetUtcNow() + options.Value.Retention;
        try
        {
            await record.WriteStateAsync();
            return true;
        }
        catch (InconsistentStateException)
        {
            return false;
        }
    }

    public async Task ReleaseAsync(Guid lease)
    {
        await ReadAgainIfExpiredAsync();
        if (HoldsLease(lease))
        {
            try
            {
                await record.ClearStateAsync();
            }
            catch (InconsistentStateException)
            {
                // Someone else holds the record now; nothing of ours to release.
            }
        }
    }

    /// <summary>
    /// Reads the record again when what this activation holds has expired: the silo deletes expired
    /// records, so the version held may be of a record since deleted and re-created elsewhere (see
    /// <see cref="IExpiringState"/>). Only a request running longer than the retention meets this here.
    /// </summary>
    private async Task ReadAgainIfExpiredAsync()
    {
        if (record.Version > 0 && ((IExpiringState)record.State).ExpiresAt <= time.GetUtcNow())
        {
            await record.ReadStateAsync();
        }
    }

    private bool HoldsLease(Guid lease) => record.State.Status == IdempotencyRecordStatus.InFlight && record.State.Lease == lease;

    private async Task<IdempotencyDecision> DecideAsync(string fingerprint, bool reread)
    {
        var now = time.GetUtcNow();
        if (reread && record.Version > 0 && !IsLiveCompleted(now))
        {
            // Only an in-flight record can have changed elsewhere without this activation hearing of it
            // (another process completed or released it); a completed one is final until it expires. A
            // record no longer live (expired or released) is read again before it is overwritten, as
            // for ReadAgainIfExpiredAsync.
            await record.ReadStateAsync();
        }

        var state = record.State;
        if (IsLiveCompleted(now))
        {
            return state.Fingerprint == fingerprint
                ? new IdempotencyDecision(IdempotencyOutcome.Replay, Response: state.Response)
                : new IdempotencyDecision(IdempotencyOutcome.Mismatch);
        }

        if (IsLiveInFlight(now))
        {
            return state.Fingerprint == fingerprint
                ? new IdempotencyDecision(IdempotencyOutcome.InFlight, RetryAfter: state.LeaseExpiresAt - now)
                : new IdempotencyDecision(IdempotencyOutcome.Mismatch);
        }

        var settings = options.Value;
        var lease = Guid.NewGuid();
        record.State = new IdempotencyRecordState
        {
            Status = IdempotencyRecordStatus.InFlight,
            Fingerprint = fingerprint,
            Lease = lease,
            LeaseExpiresAt = now + settings.InFlightLease,
            ExpiresAt = now + settings.Retention,
        };
        await record.WriteStateAsync();
        return new IdempotencyDecision(IdempotencyOutcome.Proceed, lease);
    }

    private bool IsLiveCompleted(DateTimeOffset now) =>
        record.State.Status == IdempotencyRecordStatus.Completed && record.State.ExpiresAt > now;

    private bool IsLiveInFlight(DateTimeOffset now) =>
        record.State.Status == IdempotencyRecordStatus.InFlight && record.State.LeaseExpiresAt > now;
}
