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

    /// <summary>A patient with a client-chosen id, for PUT.</summary>
    public static Patient WithId(string id, string family = "Example")
    {
        var patient = WithMrn($"mrn-{id}", family);
        patient.Id = id;
        return patient;
    }

    /// <summary>Stores Patient/{id} (create or update), so resources about it pass the server's referential integrity.</summary>
    public static async Task StoreAsync(HttpClient client, string id)
    {
        using var response = await client.PutAsync($"/fhir/Patient/{id}", WithId(id));
        Assert.True(response.IsSuccessStatusCode, $"PUT Patient/{id} answered {(int)response.StatusCode}");
    }
}
