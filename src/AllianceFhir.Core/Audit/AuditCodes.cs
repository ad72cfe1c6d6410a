namespace AllianceFhir.Core.Audit;

/// <summary>
/// The code systems IHE Basic Audit Log Patterns (BALP, https://profiles.ihe.net/ITI/BALP/, profiles
/// IHE.BasicAudit.Create/Read/Update/Delete/Query and their Patient* variants) uses for a RESTful interaction.
/// </summary>
public static class AuditCodes
{
    public const string EventType = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    public const string Rest = "rest";
    public const string RestfulInteraction = "http://hl7.org/fhir/restful-interaction";
    public const string ParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    public const string DicomRoles = "http://dicom.nema.org/resources/ontology/DCM";
    public const string SourceRole = "110153";
    public const string DestinationRole = "110152";
    public const string SourceType = "http://terminology.hl7.org/CodeSystem/security-source-type";
    public const string ApplicationServer = "4";
    public const string EntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    public const string ObjectRole = "http://terminology.hl7.org/CodeSystem/object-role";
    public const string PatientRole = "1";
    public const string DomainResourceRole = "4";
    public const string QueryRole = "24";
    public const string PersonType = "1";
    public const string SystemObjectType = "2";
}
