namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// The canonical URLs of the Subscriptions R5 Backport IG (hl7.fhir.uv.subscriptions-backport, R4 profiles) this server
/// reads and writes, and the one topic it offers.
/// </summary>
public static class BackportUrls
{
    private const string Base = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";

    public const string SubscriptionProfile = Base + "backport-subscription";
    public const string StatusProfile = Base + "backport-subscription-status-r4";
    public const string FilterCriteria = Base + "backport-filter-criteria";
    public const string PayloadContent = Base + "backport-payload-content";
    public const string HeartbeatPeriod = Base + "backport-heartbeat-period";
    public const string Timeout = Base + "backport-timeout";
    public const string MaxCount = Base + "backport-max-count";
    public const string TopicCanonical = Base + "capabilitystatement-subscriptiontopic-canonical";

    /// <summary>"A QuestionnaireResponse was completed", with its score Observations as additional context.</summary>
    public const string ResponseCompletedTopic = "http://alliancefhir.org/fhir/SubscriptionTopic/questionnaire-response-completed";

    /// <summary>Set by the server on a Subscription created under a patient/ scope: notifications stay in that compartment.</summary>
    public const string OwnerPatient = "http://alliancefhir.org/fhir/StructureDefinition/subscription-owner-patient";

    /// <summary>Set by the server on every Subscription: the service base its criteria were written against (see <see cref="SubscriptionReader"/>).</summary>
    public const string ServiceBase = "http://alliancefhir.org/fhir/StructureDefinition/subscription-service-base";
}
