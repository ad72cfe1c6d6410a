using AllianceFhir.Instruments.Fhir;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>The systems and extensions of monitoring Flags and change Observations (docs/monitoring.md).</summary>
public static class MonitoringUrls
{
    public const string FlagIdentifierSystem = ExtensionUrls.CanonicalBase + "/monitoring-flag";
    public const string ChangeIdentifierSystem = ExtensionUrls.CanonicalBase + "/monitoring-change";
    public const string RuleSystem = ExtensionUrls.CanonicalBase + "/CodeSystem/monitoring-rule";
    public const string ChangeCategorySystem = ExtensionUrls.CanonicalBase + "/CodeSystem/change-category";

    /// <summary>R4 core extension on Flag: the records that support it (0..*).</summary>
    public const string FlagDetail = "http://hl7.org/fhir/StructureDefinition/flag-detail";

    public const string FlagResolvedBy = ExtensionUrls.CanonicalBase + "/StructureDefinition/flag-resolved-by";

    /// <summary>Complex: <c>id</c> (code), <c>rulesVersion</c> (string), <c>score</c> (Coding), <c>episode</c> (Reference, absent for the default episode).</summary>
    public const string MonitoringRule = ExtensionUrls.CanonicalBase + "/StructureDefinition/monitoring-rule";

    public const string FlagCategorySystem = "http://terminology.hl7.org/CodeSystem/flag-category";
}
