using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace OrleansVoucher.Api.Auth;

/// <summary>
/// A token handler that remembers the bearer tokens it has validated, so a client presenting the same
/// token again — an institution's desk scanning vouchers all day — is not parsed and its signature not
/// checked on every request.
/// </summary>
/// <remarks>
/// <para>
/// A hit answers exactly as a fresh validation would: the signing keys, issuer, audience and algorithms
/// are fixed for the life of the process (<see cref="AuthOptions"/> is read once, so withdrawing a key
/// means a restart, which empties this cache), and the one check that depends on time — the token's
/// lifetime — is made again on every hit against the engine's clock, with the same clock skew.
/// </para>
/// <para>
/// Memory is bounded: at most <c>capacity</c> tokens are held. Once it is half full, a token is
/// remembered only when it is seen a second time (a small table of hashes of the tokens seen once, of
/// fixed size, tells): a storm of one-off tokens — thousands of workers each claiming once — then costs
/// no inserts and does not push out the tokens of clients that come back. When it is full, expired
/// tokens are swept out; if it is still full (more live clients than the capacity), it starts over
/// empty, which costs only fresh validations.
/// </para>
/// </remarks>
internal sealed class ValidatedTokenCache : TokenHandler
{
    private readonly TokenHandler _inner;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _sweepLock = new();

    // Hashes of tokens seen once, one per slot; a collision only makes a token remembered early or late.
    private readonly int[] _seenOnce;

    // The entries held, kept apart from _entries.Count, which takes every lock of the dictionary.
    private int _held;

    /// <summary>Wraps <paramref name="inner"/>; holds at most <paramref name="capacity"/> tokens.</summary>
    public ValidatedTokenCache(TokenHandler inner, TimeProvider time, int capacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _inner = inner;
        _time = time;
        _capacity = capacity;
        _seenOnce = new int[(int)Math.Min(1 << 20, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity * 2))];
    }

    /// <summary>How many validated tokens are held.</summary>
    public int Count => _entries.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var now = _time.GetUtcNow().UtcDateTime;
        if (token is not null && _entries.TryGetValue(token, out var known))
        {
            if (known.IsLive(now, validationParameters.ClockSkew))
            {
                // A principal of its own per request: nothing downstream can change another request's.
                return new TokenValidationResult
                {
                    IsValid = true,
                    ClaimsIdentity = known.Identity.Clone(),
                    SecurityToken = known.Token,
                    Issuer = known.Issuer,
                    TokenType = known.TokenType,
                };
            }

            // Expired (or not yet valid): validate afresh, which answers why.
            if (_entries.TryRemove(token, out _))
            {
                Interlocked.Decrement(ref _held);
            }
        }

        var result = await _inner.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (token is not null && result.IsValid && result.ClaimsIdentity is { } identity && result.SecurityToken is { } validated && Admits(token))
        {
            Remember(token, new Entry(identity.Clone(), validated, result.Issuer, result.TokenType, NullIfMin(validated.ValidFrom), validated.ValidTo), now, validationParameters.ClockSkew);
        }

        return result;
    }

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    private void Remember(string token, Entry entry, DateTime now, TimeSpan skew)
    {
        if (Volatile.Read(ref _held) >= _capacity)
        {
            lock (_sweepLock)
            {
                if (_entries.Count >= _capacity)
                {
                    foreach (var (key, held) in _entries)
                    {
                        if (!held.IsLive(now, skew))
                        {
                            _entries.TryRemove(key, out _);
                        }
                    }

                    if (_entries.Count >= _capacity)
                    {
                        _entries.Clear();
                    }
                }

                Volatile.Write(ref _held, _entries.Count);
            }
        }

        if (_entries.TryAdd(token, entry))
        {
            Interlocked.Increment(ref _held);
        }
        else
        {
            _entries[token] = entry;
        }
    }

    /// <summary>Whether to remember a token just validated: always while the cache is under half full, else from its second sighting.</summary>
    private bool Admits(string token) => Volatile.Read(ref _held) < _capacity / 2 || SeenBefore(token);

    /// <summary>Whether <paramref name="token"/> was seen before (and, if not, notes that it now has been).</summary>
    private bool SeenBefore(string token)
    {
        var hash = token.GetHashCode() | 1;
        ref var slot = ref _seenOnce[hash & (_seenOnce.Length - 1)];
        if (slot == hash)
        {
            return true;
        }

        slot = hash;
        return false;
    }

    private static DateTime? NullIfMin(DateTime instant) => instant == DateTime.MinValue ? null : instant;

    private sealed record Entry(System.Security.Claims.ClaimsIdentity Identity, SecurityToken Token, string? Issuer, string? TokenType, DateTime? NotBefore, DateTime Expires)
    {
        /// <summary>The lifetime check of <see cref="JwtBearerSetup"/>, made again at <paramref name="now"/>.</summary>
        public bool IsLive(DateTime now, TimeSpan skew) => JwtBearerSetup.IsWithinLifetime(NotBefore, Expires, now, skew);
    }
}
