namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// A grain state that declares when it may be forgotten. The store records <see cref="ExpiresAt"/> with
/// every write of the state, and the silo's <see cref="Hosting.ExpiredStateSweeper"/> deletes the stored
/// record once it has been expired for longer than <see cref="Hosting.ExpiredStateSweepOptions.Grace"/>.
/// States that do not implement the interface are kept until their grain clears or rewrites them.
/// </summary>
/// <remarks>
/// <para>Deleting a record resets its version to "absent". A grain activation that still held the
/// record's version could then write "expecting" it over a record re-created in the meantime that has
/// reached that same version again, and the version check would let it through. The sweep is safe
/// because it deletes a record only when no activation can hold its version any more, which takes
/// two things:</para>
/// <list type="bullet">
/// <item>The silo's part: an activation that is not called is deactivated by idle collection within
/// <see cref="Hosting.SiloOptions.CollectionAge"/> (noticed at the next
/// <see cref="Hosting.SiloOptions.CollectionQuantum"/>, deactivated within
/// <see cref="Hosting.SiloOptions.DeactivationTimeout"/>), and the sweep's grace exceeds that by a
/// margin.</item>
/// <item>The grain's part: once the state's expiry has passed, the grain writes it only after reading
/// it again in the same call. So an activation kept alive by calls after the expiry never writes on
/// the strength of a version it has held since before the record may have been deleted; the write
/// expects the version just read (0 if the record is gone) and is checked like any other.</item>
/// </list>
/// <para>Declare the latest time at which anything still depends on the record: a record that blocks
/// something (a lease, a reservation) must not expire before what it blocks.</para>
/// </remarks>
public interface IExpiringState
{
    /// <summary>When the state may be forgotten; null while it must be kept.</summary>
    DateTimeOffset? ExpiresAt { get; }
}
