using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Resources;

/// <summary>The outcome of a create/update/delete: the version now current, and whether the interaction created it.</summary>
/// <param name="Resource">The resource as stored (null after a delete).</param>
/// <param name="Created">True when a new resource came into existence (201); false for an update or an existing match.</param>
public sealed record WriteResult(ResourceVersion Version, Resource? Resource, bool Created);
