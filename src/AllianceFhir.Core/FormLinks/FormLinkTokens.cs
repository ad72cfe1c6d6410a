using System.Security.Cryptography;
using System.Text;

namespace AllianceFhir.Core.FormLinks;

/// <summary>The bearer secret of a form link: 256 random bits in URL-safe base64, stored only as its SHA-256.</summary>
public static class FormLinkTokens
{
    /// <summary>Length of <see cref="New"/>'s tokens: 32 bytes in unpadded base64url.</summary>
    public const int Length = 43;

    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// SHA-256 in lower-case hex. A fast hash is enough: the token has 256 bits of entropy, so no dictionary of likely
    /// tokens exists to try (unlike passwords, which need a slow hash).
    /// </summary>
    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether the text could be a token at all (checked before any lookup, so odd URLs cost nothing).</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
