namespace AllianceFhir.Api.OpenApi;

/// <summary>Ready-to-send bodies for Swagger UI's "Try it out", one per resource type that users post most.</summary>
public static class FhirExamples
{
    public static string For(string resourceType) => resourceType switch
    {
        "Patient" => """
            {
              "resourceType": "Patient",
              "identifier": [{ "system": "http://clinic.example.org/mrn", "value": "12345" }],
              "name": [{ "family": "Example", "given": ["Alex"] }],
              "birthDate": "1990-04-01"
            }
            """,
        "QuestionnaireResponse" => """
            {
              "resourceType": "QuestionnaireResponse",
              "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/srs|1.0.0",
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
              "status": "final",
              "code": { "coding": [{ "system": "http://alliancefhir.org/fhir/CodeSystem/alliance-score", "code": "srs-total" }] },
              "subject": { "reference": "Patient/example" },
              "effectiveDateTime": "2026-03-02T10:00:00Z",
              "valueQuantity": { "value": 34.0, "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}" }
            }
            """,
        "Questionnaire" => """
            {
              "resourceType": "Questionnaire",
              "url": "http://clinic.example.org/fhir/Questionnaire/check-in",
              "version": "1.0.0",
              "status": "draft",
              "title": "Session check-in",
              "item": [{ "linkId": "1", "text": "How was today's session?", "type": "string" }]
            }
            """,
        "Bundle" => """
            {
              "resourceType": "Bundle",
              "type": "transaction",
              "entry": [
                {
                  "fullUrl": "urn:uuid:5c3b1f52-8d4e-4a61-9a7e-1f0c2b3d4e5f",
                  "resource": {
                    "resourceType": "Patient",
                    "identifier": [{ "system": "http://clinic.example.org/mrn", "value": "12345" }],
                    "name": [{ "family": "Example", "given": ["Alex"] }]
                  },
                  "request": { "method": "POST", "url": "Patient", "ifNoneExist": "identifier=http://clinic.example.org/mrn|12345" }
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
        _ => $$"""
            {
              "resourceType": "{{resourceType}}"
            }
            """,
    };
}
