using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Resources;

/// <summary>The versions one write makes (its own first, then what its hooks derived) and, in the same order, the resources they hold (null for a delete).</summary>
public sealed record PreparedWrite(List<ResourceWrite> Writes, IReadOnlyList<Resource?> Resources);
