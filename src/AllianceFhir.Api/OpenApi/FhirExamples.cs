namespace AllianceFhir.Api.OpenApi;

/// <summary>
/// Ready-to-send bodies for Swagger UI's "Try it out", valid against this server (a test sends every one).
/// The resources carry the id <c>example</c> so <c>PUT [type]/example</c> creates them, and they reference one another
/// by that id: create the Patient (and, for a PractitionerRole, the Practitioner and Organization) first. Identifiers
/// differ from the README's first request (MRN 12345), so conditional requests here never match that Patient.
/// </summary>
public static class FhirExamples
{
    /// <summary>The id the examples use; also the example of the {id} path parameter.</summary>
    public const string Id = "example";

    /// <summary>The Questionnaire the response and $populate examples use (a catalog instrument, loaded at start).</summary>
    public const string QuestionnaireId = "srs";

    public const string SrsCanonical = "http://alliancefhir.org/fhir/Questionnaire/srs|1.0.0";

    public static string For(string name) => name switch
    {
        "Patient" => """
            {
              "resourceType": "Patient",
              "id": "example",
              "identifier": [{ "system": "http://clinic.example.org/mrn", "value": "example-0001" }],
              "name": [{ "family": "Example", "given": ["Alex"] }],
              "birthDate": "1990-04-01"
            }
            """,
        "Practitioner" => """
            {
              "resourceType": "Practitioner",
              "id": "example",
              "identifier": [{ "system": "http://clinic.example.org/staff", "value": "T-042" }],
              "name": [{ "family": "Rivera", "given": ["Sam"], "prefix": ["Dr"] }],
              "qualification": [{ "code": { "text": "Clinical psychologist" } }]
            }
            """,
        "Organization" => """
            {
              "resourceType": "Organization",
              "id": "example",
              "identifier": [{ "system": "http://clinic.example.org/sites", "value": "north" }],
              "active": true,
              "name": "Example Counselling Clinic, North"
            }
            """,
        "PractitionerRole" => """
            {
              "resourceType": "PractitionerRole",
              "id": "example",
              "active": true,
              "practitioner": { "reference": "Practitioner/example" },
              "organization": { "reference": "Organization/example" },
              "specialty": [{ "text": "Psychotherapy" }]
            }
            """,
        "Encounter" => """
            {
              "resourceType": "Encounter",
              "id": "example",
              "status": "finished",
              "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory" },
              "type": [{ "text": "Psychotherapy session" }],
              "subject": { "reference": "Patient/example" },
              "period": { "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T09:50:00Z" }
            }
            """,
        // A clinician's own Flag; the server's monitoring Flags have the same shape (docs/monitoring.md).
        "Flag" => """
            {
              "resourceType": "Flag",
              "id": "example",
              "status": "active",
              "category": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/flag-category", "code": "clinical" }] }],
              "code": { "text": "Discuss the last session's SRS with the client" },
              "subject": { "reference": "Patient/example" }
            }
            """,
        "EpisodeOfCare" => """
            {
              "resourceType": "EpisodeOfCare",
              "id": "example",
              "status": "active",
              "patient": { "reference": "Patient/example" },
              "period": { "start": "2026-03-02" }
            }
            """,
        "Questionnaire" => """
            {
              "resourceType": "Questionnaire",
              "id": "example",
              "url": "http://clinic.example.org/fhir/Questionnaire/check-in",
              "version": "1.0.0",
              "status": "draft",
              "title": "Session check-in",
              "item": [{ "linkId": "1", "text": "How was today's session?", "type": "string" }]
            }
            """,

        // A completed Session Rating Scale: valid for the catalog instrument, so it is scored and its total extracted.
        "QuestionnaireResponse" => $$"""
            {
              "resourceType": "QuestionnaireResponse",
              "id": "example",
              "questionnaire": "{{SrsCanonical}}",
              "status": "completed",
              "subject": { "reference": "Patient/example" },
              "authored": "2026-03-02T10:00:00Z",
              "item": [
                { "linkId": "1", "answer": [{ "valueDecimal": 9.1 }] },
                { "linkId": "2", "answer": [{ "valueDecimal": 8.4 }] },
                { "linkId": "3", "answer": [{ "valueDecimal": 9.0 }] },
                { "linkId": "4", "answer": [{ "valueDecimal": 7.5 }] }
              ]
            }
            """,
        "Observation" => """
            {
              "resourceType": "Observation",
              "id": "example",
              "status": "final",
              "code": { "coding": [{ "system": "http://alliancefhir.org/fhir/CodeSystem/alliance-score", "code": "srs-total" }] },
              "subject": { "reference": "Patient/example" },
              "effectiveDateTime": "2026-03-02T10:00:00Z",
              "valueQuantity": { "value": 34.0, "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}" }
            }
            """,
        "CodeSystem" => """
            {
              "resourceType": "CodeSystem",
              "id": "example",
              "url": "http://clinic.example.org/fhir/CodeSystem/session-format",
              "version": "1.0.0",
              "name": "SessionFormat",
              "status": "draft",
              "content": "complete",
              "concept": [
                { "code": "in-person", "display": "In person" },
                { "code": "video", "display": "Video call" },
                { "code": "phone", "display": "Telephone" }
              ]
            }
            """,
        "ValueSet" => """
            {
              "resourceType": "ValueSet",
              "id": "example",
              "url": "http://clinic.example.org/fhir/ValueSet/session-format",
              "version": "1.0.0",
              "name": "SessionFormat",
              "status": "draft",
              "compose": { "include": [{ "system": "http://clinic.example.org/fhir/CodeSystem/session-format" }] }
            }
            """,

        // A loopback endpoint nothing listens on: trying it out never sends data off the machine (the handshake fails
        // and the subscription goes to error, saying why).
        "Subscription" => """
            {
              "resourceType": "Subscription",
              "id": "example",
              "status": "requested",
              "reason": "SRS totals below the cut-off of 36",
              "criteria": "Observation?code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|srs-total&value-quantity=lt36",
              "channel": {
                "type": "rest-hook",
                "endpoint": "http://127.0.0.1:9/fhir-notify",
                "payload": "application/fhir+json",
                "header": ["Authorization: Bearer example-ehr-token"]
              }
            }
            """,
        "Group" => """
            {
              "resourceType": "Group",
              "id": "example",
              "type": "person",
              "actual": true,
              "name": "Example cohort",
              "member": [{ "entity": { "reference": "Patient/example" } }]
            }
            """,
        // $populate at instance level: the questionnaire is the one in the URL.
        "Parameters" => """
            {
              "resourceType": "Parameters",
              "parameter": [{ "name": "subject", "valueReference": { "reference": "Patient/example" } }]
            }
            """,
        PopulateByCanonical => $$"""
            {
              "resourceType": "Parameters",
              "parameter": [
                { "name": "canonical", "valueUri": "{{SrsCanonical}}" },
                { "name": "subject", "valueReference": { "reference": "Patient/example" } }
              ]
            }
            """,

        CreateLink => """
            {
              "resourceType": "Parameters",
              "parameter": [{ "name": "subject", "valueReference": { "reference": "Patient/example" } }]
            }
            """,

        // Operations whose parameters are all optional take an empty Parameters resource (or no body).
        NoParameters => """
            {
              "resourceType": "Parameters"
            }
            """,

        // Its own identifier, so it neither collides with the README's Patient nor with the Patient example.
        "Bundle" => """
            {
              "resourceType": "Bundle",
              "type": "transaction",
              "entry": [
                {
                  "fullUrl": "urn:uuid:5c3b1f52-8d4e-4a61-9a7e-1f0c2b3d4e5f",
                  "resource": {
                    "resourceType": "Patient",
                    "identifier": [{ "system": "http://clinic.example.org/mrn", "value": "example-0002" }],
                    "name": [{ "family": "Example", "given": ["Robin"] }]
                  },
                  "request": { "method": "POST", "url": "Patient", "ifNoneExist": "identifier=http://clinic.example.org/mrn|example-0002" }
                },
                {
                  "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": { "coding": [{ "system": "http://alliancefhir.org/fhir/CodeSystem/alliance-score", "code": "srs-total" }] },
                    "subject": { "reference": "urn:uuid:5c3b1f52-8d4e-4a61-9a7e-1f0c2b3d4e5f" },
                    "effectiveDateTime": "2026-03-02T10:00:00Z",
                    "valueQuantity": { "value": 34.0, "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}" }
                  },
                  "request": { "method": "POST", "url": "Observation" }
                }
              ]
            }
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No example body; add one so Swagger UI can send a working request"),
    };

    public const string PopulateByCanonical = "Parameters-populate-by-canonical";

    public const string NoParameters = "Parameters-empty";

    public const string CreateLink = "Parameters-create-link";
}
