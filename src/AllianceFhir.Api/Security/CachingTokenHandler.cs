using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace AllianceFhir.Api.Security;

/// <summary>
/// The JwtBearer handler's token handler, remembering the tokens it has accepted: a client sends the same bearer token
/// with every request for its lifetime, and checking its RSA signature and parsing its JSON again each time cost reads
/// more than half their throughput (docs/performance.md). The key is a SHA-256 of the whole token, signature included,
/// so only the very bytes that passed full validation hit; anything else (a forged signature, a changed claim, another
/// token) is validated in full, and failures are never remembered. An entry lives until the token's <c>exp</c> (without
/// the validator's clock skew) and at most <see cref="MaxAge"/>, so a signing key the issuer withdraws stops being
/// honoured within that time; bearer tokens are not revocable here, as without the cache.
/// </summary>
public sealed class CachingTokenHandler(TokenHandler inner, TokenValidationCache cache, TimeProvider clock) : TokenHandler
{
    /// <summary>How long a validated token is trusted without checking its signature against the current keys again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public override int MaximumTokenSizeInBytes
    {
        get => inner.MaximumTokenSizeInBytes;
        set => inner.MaximumTokenSizeInBytes = value;
    }

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaximumTokenSizeInBytes)
        {
            return await inner.ValidateTokenAsync(token, validationParameters);
        }

        var key = TokenValidationCache.KeyOf(token);
        var now = clock.GetUtcNow();
        if (cache.TryGet(key, now, out var accepted))
        {
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = accepted.Token,
                ClaimsIdentity = accepted.Identity.Clone(),
                Issuer = accepted.Token.Issuer,
            };
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated && result.ClaimsIdentity is { } identity)
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc));
            var until = expires < now + MaxAge ? expires : now + MaxAge;
            if (validated.ValidTo != DateTime.MinValue && until > now)
            {
                cache.Add(key, new TokenValidationCache.Entry(validated, identity.Clone(), until));
            }
        }

        return result;
    }
}

/// <summary>The tokens <see cref="CachingTokenHandler"/> has accepted: bounded in count, each until its own expiry.</summary>
public sealed class TokenValidationCache : IDisposable
{
    /// <summary>Far more than the distinct tokens that call one server within <see cref="CachingTokenHandler.MaxAge"/>.</summary>
    public const int Capacity = 10_000;

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public sealed record Entry(SecurityToken Token, ClaimsIdentity Identity, DateTimeOffset Expires)
    {
        /// <summary>
        /// The caller the access middleware derived from <see cref="Identity"/> (scopes parsed once per token, not per
        /// request); set on first use. A race sets it twice to equal values.
        /// </summary>
        public Core.Security.AccessContext? Caller { get; set; }
    }

    /// <summary>The whole token, hashed: the cache never holds the credential itself.</summary>
    public static string KeyOf(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public bool TryGet(string key, DateTimeOffset now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Entry? entry)
    {
        if (_entries.TryGetValue(key, out entry) && entry is not null)
        {
            // The cache's own expiry runs on the system clock; this check runs on the app's, which lifetime validation uses too.
            if (entry.Expires > now)
            {
                return true;
            }

            _entries.Remove(key);
        }

        entry = null;
        return false;
    }

    /// <summary>Ignored when the cache is full (it compacts in the background): the next request validates in full.</summary>
    public void Add(string key, Entry entry) =>
        _entries.Set(key, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = entry.Expires });

    public void Dispose() => _entries.Dispose();
}
