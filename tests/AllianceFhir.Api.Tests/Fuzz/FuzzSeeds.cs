using AllianceFhir.Core.Serialization;
using AllianceFhir.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Fuzz;

/// <summary>Valid requests the mutations start from: each reaches deep into its path before a mutation breaks it.</summary>
public static class FuzzSeeds
{
    /// <summary>The patient every seed that needs one refers to; the fuzz test creates it first.</summary>
    public const string PatientId = "fuzz-patient";

    public static Patient Patient() => new()
    {
        Id = PatientId,
        Identifier = [new Identifier("http://clinic.example.org/mrn", "fuzz-1")],
        Name = [new HumanName { Family = "Fuzz", Given = ["Casey"] }],
        BirthDate = "1990-04-01",
        Gender = AdministrativeGender.Other,
    };

    /// <summary>A (target, body) pair per write path: REST create and update, Bundles, and the instrument operations.</summary>
    public static IReadOnlyList<(string Method, string Url, Resource Body)> Writes()
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "8867-4", "Heart rate"),
            Subject = new ResourceReference($"Patient/{PatientId}"),
            Effective = new FhirDateTime("2026-03-02T10:00:00Z"),
            Value = new Quantity(72.5m, "/min", "http://unitsofmeasure.org"),
        };
        var response = SrsResponse();
        var transaction = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new Bundle.EntryComponent
                {
                    FullUrl = "urn:uuid:0b2f5a8e-8f57-4a8e-9d43-6a1f3c1c2b11",
                    Resource = new Patient { Identifier = [new Identifier("http://clinic.example.org/mrn", "fuzz-tx")] },
                    Request = new Bundle.RequestComponent
                    {
                        Method = Bundle.HTTPVerb.POST,
                        Url = "Patient",
                        IfNoneExist = "identifier=http://clinic.example.org/mrn|fuzz-tx",
                    },
                },
                new Bundle.EntryComponent
                {
                    Resource = observation,
                    Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
                },
                new Bundle.EntryComponent
                {
                    Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = "Patient?identifier=fuzz-1" },
                },
            ],
        };
        var populate = new Parameters();
        populate.Add("subject", new ResourceReference($"Patient/{PatientId}"));

        return
        [
            ("POST", "/fhir/Patient", Patient()),
            ("PUT", $"/fhir/Patient/{PatientId}", Patient()),
            ("PUT", "/fhir/Patient?identifier=http://clinic.example.org/mrn|fuzz-1", Patient()),
            ("POST", "/fhir/Observation", observation),
            ("POST", "/fhir/QuestionnaireResponse", response),
            ("POST", "/fhir", transaction),
            ("POST", "/fhir/QuestionnaireResponse/$validate", response),
            ("POST", "/fhir/QuestionnaireResponse/$extract", response),
            ("POST", "/fhir/Questionnaire/srs/$populate", populate),
        ];
    }

    /// <summary>A completed SRS: four 0–10 line scores, scored and extracted by the server.</summary>
    public static QuestionnaireResponse SrsResponse()
    {
        var response = new QuestionnaireResponse
        {
            Questionnaire = "http://alliancefhir.org/fhir/Questionnaire/srs",
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Subject = new ResourceReference($"Patient/{PatientId}"),
            Authored = "2026-03-02T10:00:00Z",
        };
        foreach (var (linkId, value) in new[] { ("1", 9.1m), ("2", 8.7m), ("3", 9.4m), ("4", 7.9m) })
        {
            response.Item.Add(new QuestionnaireResponse.ItemComponent
            {
                LinkId = linkId,
                Answer = [new QuestionnaireResponse.AnswerComponent { Value = new FhirDecimal(value) }],
            });
        }

        return response;
    }

    /// <summary>The HL7 R4 examples in the shared conformance data (CC0), when present, as extra create bodies.</summary>
    public static IReadOnlyList<(string Method, string Url, Resource Body)> Hl7Examples(string folder) =>
        Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
            .Where(path => !path.EndsWith("package.json", StringComparison.Ordinal) && !path.EndsWith("index.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => Parse(File.ReadAllText(path)))
            .OfType<Resource>()
            .Select(resource => resource is Bundle { Type: Bundle.BundleType.Transaction or Bundle.BundleType.Batch }
                ? ("POST", "/fhir", resource)
                : ("POST", $"/fhir/{resource.TypeName}", resource))
            .ToList();

    /// <summary>
    /// Some published examples break R4 rules the strict deserializer enforces (Questionnaire items without linkId);
    /// what it recovers is still a good seed, and the server has to refuse it properly.
    /// </summary>
    private static Resource? Parse(string json)
    {
        try
        {
            return FhirSerialization.JsonDeserializer.DeserializeResource(json);
        }
        catch (DeserializationFailedException ex)
        {
            return ex.PartialResult as Resource;
        }
    }

    /// <summary>Search queries per type; the mutations then break their names and values.</summary>
    public static readonly string[] Searches =
    [
        "Patient?name=Fuzz&_count=5",
        "Patient?identifier=http://clinic.example.org/mrn|fuzz-1",
        "Patient?birthdate=ge1990-01-01&_sort=-birthdate",
        "Observation?subject=Patient/fuzz-patient&code=http://loinc.org|8867-4&_sort=-date&_count=1",
        "Observation?value-quantity=gt70|http://unitsofmeasure.org|/min",
        "Observation?subject:Patient.name=Fuzz",
        "Patient?_has:Observation:subject:code=8867-4",
        "QuestionnaireResponse?questionnaire=http://alliancefhir.org/fhir/Questionnaire/srs&_include=QuestionnaireResponse:subject",
        "Questionnaire?status=active&_elements=url,version&_summary=true",
        "Observation?code-value-quantity=8867-4$gt70&_total=accurate",
        "Patient/_history?_count=3",
        "_history?_since=2020-01-01T00:00:00Z",
        "Questionnaire/srs/$populate?subject=Patient/fuzz-patient",
        "Patient?_id=fuzz-patient&_revinclude=Observation:subject&_include=Patient:general-practitioner",
        "Observation?subject:Patient.general-practitioner:Practitioner.name=x&_include=Observation:subject:Patient",
        "Observation?date=ge2026-03-01&date=le2026-03-31T23:59:59Z&_sort=date,-_lastUpdated",
        "Observation/$lastn?patient=Patient/fuzz-patient&code=http://loinc.org|8867-4&max=2",
        "Patient/fuzz-patient/$alliance-summary",
        "Patient/fuzz-patient/_history?_count=2&_since=2020-01-01",
        "Patient/fuzz-patient/_history/1",
        "Patient/fuzz-patient?_elements=name&_summary=data",
        "?_type=Patient,Observation&_id=fuzz-patient",
        "metadata?mode=normative",
    ];
}
