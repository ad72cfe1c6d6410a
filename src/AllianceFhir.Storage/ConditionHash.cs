using System.Security.Cryptography;
using System.Text;

namespace AllianceFhir.Storage;

/// <summary>The key of a condition claim: conditions can be longer than an index key allows, and carry identifiers.</summary>
internal static class ConditionHash
{
    public static string Of(string condition) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(condition)));
}
