using Microsoft.IdentityModel.Tokens;

namespace AllianceFhir.Api.Security;

/// <summary>
/// The JwtBearer handler's token handler, remembering the tokens it has accepted: a client sends the same bearer token
/// with every request for its lifetime, and checking its RSA signature and parsing its JSON again each time cost reads
/// more than half their throughput (docs/performance.md). The key is the whole token, signature included, compared in
/// full, so only the very bytes that passed full validation hit; anything else (a forged signature, a changed claim, another
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

        var now = clock.GetUtcNow();
        if (cache.TryGet(token, now, out var accepted))
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
                cache.Add(token, new TokenValidationCache.Entry(validated, identity.Clone(), until), now);
            }
        }

        return result;
    }
}
