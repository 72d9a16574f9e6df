namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// State writes and stream events that commit atomically: every state's version check passes and all of
/// it becomes durable, or none of it does. A store may commit many units in one transaction (group
/// commit), but a unit that fails its version check never affects another unit.
/// </summary>
public sealed class WriteUnit
{
    /// <summary>Creates a unit.</summary>
    public WriteUnit(IReadOnlyList<StateWrite> states, IReadOnlyList<StreamEventWrite>? events = null)
    {
        ArgumentNullException.ThrowIfNull(states);
        States = states;
        Events = events ?? [];
        if (States.Count == 0 && Events.Count == 0)
        {
            throw new ArgumentException("A write unit needs at least one state write or event.", nameof(states));
        }

        // A unit of a few states compares pairs; a large one (a bulk issuance batch writes thousands)
        // uses a set, so checking stays linear.
        if (States.Count <= 16)
        {
            for (var i = 0; i < States.Count; i++)
            {
                for (var j = i + 1; j < States.Count; j++)
                {
                    if (States[i].Key == States[j].Key)
                    {
                        throw new ArgumentException($"State {States[i].Key} is written twice in one unit.", nameof(states));
                    }
                }
            }
        }
        else
        {
            var keys = new HashSet<GrainStateKey>(States.Count);
            foreach (var write in States)
            {
                if (!keys.Add(write.Key))
                {
                    throw new ArgumentException($"State {write.Key} is written twice in one unit.", nameof(states));
                }
            }
        }
    }

    /// <summary>The conditional state writes.</summary>
    public IReadOnlyList<StateWrite> States { get; }

    /// <summary>The stream events appended with them.</summary>
    public IReadOnlyList<StreamEventWrite> Events { get; }

    /// <summary>
    /// Whether the unit creates many states that are almost surely new (bulk issuance), so that a store
    /// may insert its states expected at version 0, and append its events, by its bulk path (PostgreSQL:
    /// binary <c>COPY</c>). The unit's meaning does not change: a state that exists makes the bulk path
    /// fail as a whole, and the store then writes the unit carefully, where that state is an ordinary lost
    /// version check. A store without a bulk path ignores the flag.
    /// </summary>
    public bool InsertsInBulk { get; init; }

    /// <summary>A unit of a single state write.</summary>
    public static WriteUnit Of(StateWrite write) => new([write]);
}
