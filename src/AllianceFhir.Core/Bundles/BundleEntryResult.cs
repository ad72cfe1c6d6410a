using System.Net;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// What one entry did: its HTTP status, the version it produced or read (for location, etag, lastModified), the
/// resource to return (subject to Prefer for writes) and, for a failed batch entry, the OperationOutcome.
/// </summary>
public sealed record BundleEntryResult(
    HttpStatusCode Status,
    ResourceVersion? Version,
    Resource? Resource,
    bool IsWrite,
    OperationOutcome? Outcome = null)
{
    public static BundleEntryResult Failure(Errors.FhirOperationException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new(failure.Status, null, null, IsWrite: false, failure.Outcome);
    }
}
