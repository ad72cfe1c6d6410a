using System.Text.RegularExpressions;

namespace AllianceFhir.Core.Resources;

/// <summary>The FHIR id datatype: 1–64 characters of A–Z, a–z, 0–9, '-' and '.'.</summary>
public static partial class FhirId
{
    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Server-assigned ids: random, so they leak nothing about volumes or order.</summary>
    public static string New() => Guid.NewGuid().ToString("D");

    /// <summary>
    /// Ids that sort (ordinally) by <paramref name="at"/> (a UUID version 7: milliseconds, then 74 random bits), for
    /// append-only records whose time is part of what they say anyway (AuditEvent.recorded): each new id lands at the
    /// end of the id index rather than on a random page of it.
    /// </summary>
    public static string NewInOrder(DateTimeOffset at) => Guid.CreateVersion7(at).ToString("D");

    [GeneratedRegex("^[A-Za-z0-9\\-\\.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
