using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>Builders for the resources the search tests store.</summary>
public static class SearchData
{
    public const string Loinc = "http://loinc.org";
    public const string Ucum = "http://unitsofmeasure.org";

    public static Observation Observation(string? subjectId, string system, string code, string effective, decimal? value = null, string unit = "mg")
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(system, code, $"Display of {code}"),
            Subject = new ResourceReference($"Patient/{subjectId}"),
            Effective = new FhirDateTime(effective),
        };
        if (value is not null)
        {
            observation.Value = new Quantity(value.Value, unit, Ucum);
        }

        return observation;
    }

    public static Patient Patient(string family, string given = "Alex", string? mrn = null, string? birthDate = null)
    {
        var patient = new Patient { Name = [new HumanName { Family = family, Given = [given] }], BirthDate = birthDate };
        if (mrn is not null)
        {
            patient.Identifier.Add(new Identifier("http://clinic.example.org/mrn", mrn));
        }

        return patient;
    }

    public static QuestionnaireResponse Response(string? patientId, string questionnaire, string authored) => new()
    {
        Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
        Questionnaire = questionnaire,
        Subject = new ResourceReference($"Patient/{patientId}"),
        Authored = authored,
    };
}
