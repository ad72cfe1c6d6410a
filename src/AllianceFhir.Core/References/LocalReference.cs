using System.Globalization;

namespace AllianceFhir.Core.References;

/// <summary>
/// A literal reference to a resource on this server, <c>Type/id</c> or <c>Type/id/_history/vid</c>, found at
/// <see cref="Path"/> (FHIRPath from the resource root, e.g. <c>QuestionnaireResponse.subject</c>).
/// </summary>
/// <param name="Version">The <c>_history</c> part as written, or null for a reference to the current version.</param>
public sealed record LocalReference(string ResourceType, string Id, string? Version, string Text, string Path)
{
    /// <summary>The referenced version as a number, or null when there is none or it is not one this server could have issued.</summary>
    public int? VersionId =>
        Version is not null && int.TryParse(Version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;

    /// <summary>
    /// Reads a <c>Reference.reference</c> as a local reference: the relative form the R4 references page defines
    /// (<c>[type]/[id]</c>, optionally <c>/_history/[vid]</c>, with a known type), or that form under this server's
    /// <paramref name="serviceBase"/> as an absolute URL (<see cref="Text"/> keeps what was written). Other absolute URLs
    /// (other servers, <c>urn:</c>), contained (<c>#id</c>) and conditional (<c>Type?query</c>) references are not local.
    /// </summary>
    public static bool TryParse(string reference, string path, out LocalReference local) =>
        TryParse(reference, path, ServiceBase.None, out local);

    /// <inheritdoc cref="TryParse(string, string, out LocalReference)"/>
    public static bool TryParse(string reference, string path, ServiceBase serviceBase, out LocalReference local)
    {
        ArgumentNullException.ThrowIfNull(serviceBase);
        if (serviceBase.Localize(reference) is { } relative && TryParseRelative(relative, path, out local))
        {
            local = local with { Text = reference };
            return true;
        }

        return TryParseRelative(reference, path, out local);
    }

    private static bool TryParseRelative(string reference, string path, out LocalReference local)
    {
        local = null!;
        if (string.IsNullOrEmpty(reference) || reference.Contains(':', StringComparison.Ordinal)
            || reference.Contains('?', StringComparison.Ordinal) || reference.StartsWith('#'))
        {
            return false;
        }

        var parts = reference.Split('/');
        if (parts.Length is not (2 or 4) || (parts.Length == 4 && (parts[2] != "_history" || parts[3].Length == 0)))
        {
            return false;
        }

        if (!Hl7.Fhir.Model.ModelInfo.IsKnownResource(parts[0]) || parts[1].Length == 0)
        {
            return false;
        }

        local = new LocalReference(parts[0], parts[1], parts.Length == 4 ? parts[3] : null, reference, path);
        return true;
    }

    public override string ToString() => Text;
}
