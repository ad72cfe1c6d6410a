using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Infrastructure;

/// <summary>Builders for test patients.</summary>
public static class Patients
{
    public static Patient WithMrn(string mrn, string family = "Example") => new()
    {
        Identifier = [new Identifier("http://clinic.example.org/mrn", mrn)],
        Name = [new HumanName { Family = family, Given = ["Alex"] }],
    };
}
