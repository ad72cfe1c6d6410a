using System.Text;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// The R4 AuditEvent of one request after IHE Basic Audit Log Patterns (BALP,
/// https://profiles.ihe.net/ITI/BALP/: the Create, Read, Update, Delete and Query profiles and their Patient variants):
/// type <c>rest</c> with the restful-interaction subtype, the action, the outcome, the client (Source Role ID, with its
/// network address), the user (<c>sub</c>, requestor) and this server (Destination Role ID) as agents, this server as
/// source observer, the touched resources by reference, a search as a Query entity (role 24) and each patient as a
/// Patient entity (role 1). It copies nothing of a resource but its reference.
/// </summary>
/// <remarks>
/// AuditEvent is a virtual type: the store keeps the <see cref="AuditEventRow"/>, and the resource is built from it only
/// when a client reads it, never on the request's path (building and indexing it was ~60 % of a read's CPU,
/// docs/performance.md).
/// </remarks>
public static class AuditEventFactory
{
    /// <summary>How this server names itself as observer and destination.</summary>
    public const string ServerName = "AllianceFhir";

    /// <summary>The write that stores a request's AuditEvent, as a narrow row (<see cref="ResourceWrite.Audit"/>).</summary>
    public static ResourceWrite ToWrite(AuditRecord record, DateTimeOffset now) => ToWrite(AuditEventRow.From(record, now));

    public static ResourceWrite ToWrite(AuditEventRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new ResourceWrite(nameof(AuditEvent), row.Id, 1, row.LastUpdated, IsDeleted: false, Json: null, "POST", []) { Audit = row };
    }

    /// <summary>The stored version a read of the row answers: the resource, serialized as any stored resource is.</summary>
    public static ResourceVersion ToVersion(AuditEventRow row, long sequence = 0)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new ResourceVersion(nameof(AuditEvent), row.Id, 1, row.LastUpdated, false, FhirSerialization.ToStoredJson(Create(row)), "POST", sequence);
    }

    public static AuditEvent Create(AuditEventRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var audit = new AuditEvent
        {
            Id = row.Id,
            Meta = new Meta { VersionId = "1", LastUpdated = row.LastUpdated },
            Type = new Coding(AuditCodes.EventType, AuditCodes.Rest, "Restful Operation"),
            Subtype = [new Coding(AuditCodes.RestfulInteraction, row.Subtype)],
            Action = EnumUtility.ParseLiteral<AuditEvent.AuditEventAction>(row.Action),
            Recorded = row.Recorded,
            Outcome = EnumUtility.ParseLiteral<AuditEvent.AuditEventOutcome>(row.Outcome),
            Source = new AuditEvent.SourceComponent
            {
                Observer = new ResourceReference { Display = ServerName },
                Type = [new Coding(AuditCodes.SourceType, AuditCodes.ApplicationServer, "Application Server")],
            },
        };
        audit.Agent.Add(ClientAgent(row));
        if (row.User is { } subject)
        {
            audit.Agent.Add(new AuditEvent.AgentComponent
            {
                Type = new CodeableConcept(AuditCodes.ParticipationType, "IRCP", "information recipient"),
                Who = new ResourceReference { Identifier = new Identifier { Value = subject } },
                Requestor = true,
            });
        }

        audit.Agent.Add(new AuditEvent.AgentComponent
        {
            Type = new CodeableConcept(AuditCodes.DicomRoles, AuditCodes.DestinationRole, "Destination Role ID"),
            Who = new ResourceReference { Display = ServerName },
            Requestor = false,
        });

        foreach (var reference in row.Entities)
        {
            audit.Entity.Add(Entity(reference, AuditCodes.SystemObjectType, AuditCodes.DomainResourceRole, "Domain Resource"));
        }

        if (row.Query is { } query)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                Type = new Coding(AuditCodes.EntityType, AuditCodes.SystemObjectType, "System Object"),
                Role = new Coding(AuditCodes.ObjectRole, AuditCodes.QueryRole, "Query"),
                Query = Encoding.UTF8.GetBytes(query),
            });
        }

        foreach (var patient in row.Patients)
        {
            audit.Entity.Add(Entity(patient, AuditCodes.PersonType, AuditCodes.PatientRole, "Patient"));
        }

        return audit;
    }

    private static AuditEvent.AgentComponent ClientAgent(AuditEventRow row)
    {
        var agent = new AuditEvent.AgentComponent
        {
            Type = new CodeableConcept(AuditCodes.DicomRoles, AuditCodes.SourceRole, "Source Role ID"),
            Requestor = row.User is null,
        };
        if (row.Client is { } client)
        {
            agent.Who = new ResourceReference { Identifier = new Identifier { Value = client } };
        }

        if (row.Address is { } address)
        {
            agent.Network = new AuditEvent.NetworkComponent { Address = address, Type = AuditEvent.AuditEventAgentNetworkType.N2 };
        }

        return agent;
    }

    private static AuditEvent.EntityComponent Entity(string reference, string type, string role, string roleDisplay) => new()
    {
        What = new ResourceReference(reference),
        Type = new Coding(AuditCodes.EntityType, type),
        Role = new Coding(AuditCodes.ObjectRole, role, roleDisplay),
    };
}
