using AllianceFhir.Core.References;

namespace AllianceFhir.Api.Configuration;

/// <summary>The <c>Fhir</c> configuration section: limits of the REST API and the address clients reach it at.</summary>
public sealed class FhirServerOptions
{
    public const string SectionName = "Fhir";

    /// <summary>Request bodies above this many bytes are refused with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Entries allowed in one batch or transaction Bundle (413 above).</summary>
    public int MaxBundleEntries { get; set; } = 1000;

    /// <summary>Whether deleting a resource that live resources refer to is refused (409) or allowed.</summary>
    public ReferentialIntegrityOnDelete ReferentialIntegrityOnDelete { get; set; } = ReferentialIntegrityOnDelete.Enforce;

    /// <summary>
    /// The FHIR base URL as clients reach it (e.g. <c>https://fhir.example.org/fhir</c>), used in Location headers,
    /// fullUrls and Bundle links. Unset, the base comes from the request, whose Host a client chooses.
    /// </summary>
    public string? PublicBaseUrl { get; set; }
}
