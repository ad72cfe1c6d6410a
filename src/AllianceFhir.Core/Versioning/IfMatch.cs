namespace AllianceFhir.Core.Versioning;

/// <summary>
/// An If-Match precondition as read from a header or a Bundle entry's <c>request.ifMatch</c>: one version
/// (<c>W/"3"</c>), or <c>*</c>, which RFC 9110 §13.1.1 makes true whenever the resource has a current representation
/// (it exists and is not deleted), whatever its version.
/// </summary>
public sealed record IfMatch
{
    private IfMatch(int? version) => Version = version;

    /// <summary><c>*</c>: any current version.</summary>
    public static IfMatch Any { get; } = new((int?)null);

    /// <summary>The version the client names; null for <see cref="Any"/>.</summary>
    public int? Version { get; }

    public bool IsAny => Version is null;

    public static IfMatch Of(int version) => new(version);

    public override string ToString() => Version is int version ? ETags.Weak(version) : "*";
}
