using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace AllianceFhir.Api.Security;

/// <summary>The tokens <see cref="CachingTokenHandler"/> has accepted: bounded in count, each until its own expiry.</summary>
/// <remarks>
/// Keyed by the token's text, compared ordinally in full: only the very string that passed validation hits. Every read
/// with a token looks its token up here (<see cref="AcceptedBearerToken"/>), straight from the header's characters. The
/// key was a SHA-256 of the token, so that the cache would not hold the credential; but each entry's
/// <see cref="Entry.Token"/> holds the encoded token anyway (<c>JsonWebToken.EncodedToken</c>), and hashing it through
/// OpenSSL, with the token copied into two strings and a byte array first, cost ~2-3 % of a read's CPU for no protection
/// (docs/performance.md, session 11). String hashes are randomized per process, so clients cannot aim collisions at it.
/// </remarks>
public sealed class TokenValidationCache : IDisposable
{
    /// <summary>Far more than the distinct tokens that call one server within <see cref="CachingTokenHandler.MaxAge"/>.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _byText;

    public TokenValidationCache() => _byText = _entries.GetAlternateLookup<ReadOnlySpan<char>>();

    public sealed record Entry(SecurityToken Token, ClaimsIdentity Identity, DateTimeOffset Expires)
    {
        /// <summary>
        /// The caller the access middleware derived from <see cref="Identity"/>, its tenant resolved (scopes parsed once
        /// per token, not per request); set on first use. A race sets it twice to equal values.
        /// </summary>
        public Core.Security.AccessContext? Caller { get; set; }

        /// <summary>
        /// The user of every request that presents this token and skips the handler (<see cref="AcceptedBearerToken"/>):
        /// one clone of <see cref="Identity"/> per token instead of one per request. Only requests with the very same
        /// token share it, and nothing in the server changes a request's user after authentication.
        /// </summary>
        public ClaimsPrincipal? Principal { get; set; }
    }

    public bool TryGet(ReadOnlySpan<char> token, DateTimeOffset now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Entry? entry)
    {
        if (_byText.TryGetValue(token, out var key, out entry))
        {
            // Expiry runs on the app's clock, which lifetime validation uses too.
            if (entry.Expires > now)
            {
                return true;
            }

            // Only this entry: a fresh one stored for the same token meanwhile stays.
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        }

        entry = null;
        return false;
    }

    /// <summary>
    /// When the cache is full, the expired entries go first; if it is still full, the entry is not kept and the token's
    /// next request validates in full.
    /// </summary>
    public void Add(string token, Entry entry, DateTimeOffset now)
    {
        // Count takes every lock of the map: fine here, once per token and at most every MaxAge.
        if (_entries.Count >= Capacity)
        {
            foreach (var (key, kept) in _entries)
            {
                if (kept.Expires <= now)
                {
                    _entries.TryRemove(KeyValuePair.Create(key, kept));
                }
            }

            if (_entries.Count >= Capacity)
            {
                return;
            }
        }

        _entries[token] = entry;
    }

    public void Dispose() => _entries.Clear();
}
