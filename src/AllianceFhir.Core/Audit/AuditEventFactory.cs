using System.Text;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// Builds the R4 AuditEvent of one request after IHE Basic Audit Log Patterns (BALP,
/// https://profiles.ihe.net/ITI/BALP/: the Create, Read, Update, Delete and Query profiles and their Patient variants):
/// type <c>rest</c> with the restful-interaction subtype, the action, the outcome, the client (Source Role ID, with its
/// network address), the user (<c>sub</c>, requestor) and this server (Destination Role ID) as agents, this server as
/// source observer, the touched resources by reference, a search as a Query entity (role 24) and each patient as a
/// Patient entity (role 1). It copies nothing of a resource but its reference.
/// </summary>
public sealed class AuditEventFactory(ISearchIndexer indexer)
{
    /// <summary>How this server names itself as observer and destination.</summary>
    public const string ServerName = "AllianceFhir";

    public static AuditEvent Create(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (subtype, action) = Classify(record);
        var audit = new AuditEvent
        {
            Type = new Coding(AuditCodes.EventType, AuditCodes.Rest, "Restful Operation"),
            Subtype = [new Coding(AuditCodes.RestfulInteraction, subtype)],
            Action = action,
            Recorded = record.Recorded,
            Outcome = OutcomeOf(record.Status),
            Source = new AuditEvent.SourceComponent
            {
                Observer = new ResourceReference { Display = ServerName },
                Type = [new Coding(AuditCodes.SourceType, AuditCodes.ApplicationServer, "Application Server")],
            },
        };
        audit.Agent.Add(ClientAgent(record));
        if (record.Caller?.Subject is { } subject)
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

        foreach (var reference in record.Entities.Distinct(StringComparer.Ordinal))
        {
            audit.Entity.Add(Entity(reference, AuditCodes.SystemObjectType, AuditCodes.DomainResourceRole, "Domain Resource"));
        }

        if (record.Query is { } query)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                Type = new Coding(AuditCodes.EntityType, AuditCodes.SystemObjectType, "System Object"),
                Role = new Coding(AuditCodes.ObjectRole, AuditCodes.QueryRole, "Query"),
                Query = Encoding.UTF8.GetBytes(query),
            });
        }

        foreach (var patient in record.Patients.Distinct(StringComparer.Ordinal))
        {
            audit.Entity.Add(Entity(patient, AuditCodes.PersonType, AuditCodes.PatientRole, "Patient"));
        }

        return audit;
    }

    /// <summary>The AuditEvent as a new version to commit, with its id, meta and search index.</summary>
    public ResourceWrite ToWrite(AuditEvent audit, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var id = FhirId.New();
        audit.Id = id;
        audit.Meta = new Meta { VersionId = "1", LastUpdated = now };
        return new ResourceWrite(
            nameof(AuditEvent),
            id,
            1,
            now,
            IsDeleted: false,
            FhirSerialization.ToStoredJson(audit),
            "POST",
            indexer.Extract(audit));
    }

    /// <summary>BALP: reads R, searches and everything that runs (operations, Bundles) E, writes C/U/D.</summary>
    private static (string Subtype, AuditEvent.AuditEventAction Action) Classify(AuditRecord record) => record.Interaction switch
    {
        FhirInteraction.Read => ("read", AuditEvent.AuditEventAction.R),
        FhirInteraction.VRead => ("vread", AuditEvent.AuditEventAction.R),
        FhirInteraction.HistoryInstance => ("history-instance", AuditEvent.AuditEventAction.R),
        FhirInteraction.HistoryType => ("history-type", AuditEvent.AuditEventAction.R),
        FhirInteraction.HistorySystem => ("history-system", AuditEvent.AuditEventAction.R),
        FhirInteraction.SearchType => ("search-type", AuditEvent.AuditEventAction.E),
        FhirInteraction.SearchSystem => ("search-system", AuditEvent.AuditEventAction.E),
        FhirInteraction.Create or FhirInteraction.ConditionalCreate => ("create", AuditEvent.AuditEventAction.C),
        FhirInteraction.Update or FhirInteraction.ConditionalUpdate => ("update", AuditEvent.AuditEventAction.U),
        FhirInteraction.Patch => ("patch", AuditEvent.AuditEventAction.U),
        FhirInteraction.Delete or FhirInteraction.ConditionalDelete => ("delete", AuditEvent.AuditEventAction.D),
        FhirInteraction.Operation => ("operation", AuditEvent.AuditEventAction.E),
        _ => (record.BundleKind ?? "transaction", AuditEvent.AuditEventAction.E),
    };

    /// <summary>R4 audit-event-outcome: a refused or invalid request (4xx) is a minor failure, a server fault (5xx) a serious one.</summary>
    private static AuditEvent.AuditEventOutcome OutcomeOf(int status) => status switch
    {
        < 400 => AuditEvent.AuditEventOutcome.N0,
        < 500 => AuditEvent.AuditEventOutcome.N4,
        _ => AuditEvent.AuditEventOutcome.N8,
    };

    private static AuditEvent.AgentComponent ClientAgent(AuditRecord record)
    {
        var agent = new AuditEvent.AgentComponent
        {
            Type = new CodeableConcept(AuditCodes.DicomRoles, AuditCodes.SourceRole, "Source Role ID"),
            Requestor = record.Caller?.Subject is null,
        };
        if (record.Caller?.ClientId is { } client)
        {
            agent.Who = new ResourceReference { Identifier = new Identifier { Value = client } };
        }

        if (record.SourceAddress is { } address)
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
