using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>Builders for the resources the export tests store.</summary>
public static class ExportData
{
    public const string Loinc = "http://loinc.org";

    public static Observation Observation(string id, string patient, string code = "75499-6", string? performer = null)
    {
        var observation = new Observation
        {
            Id = id,
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(Loinc, code),
            Subject = new ResourceReference($"Patient/{patient}"),
            Value = new Quantity(12, "{score}"),
        };
        if (performer is not null)
        {
            observation.Performer.Add(new ResourceReference($"Patient/{performer}"));
        }

        return observation;
    }

    public static Group Group(string id, params string[] members)
    {
        var group = new Group { Id = id, Type = Hl7.Fhir.Model.Group.GroupType.Person, Actual = true };
        group.Member.AddRange(members.Select(m => new Group.MemberComponent { Entity = new ResourceReference($"Patient/{m}") }));
        return group;
    }

    public static async Task PutAsync(HttpClient client, Resource resource)
    {
        using var response = await client.PutAsync($"/fhir/{resource.TypeName}/{resource.Id}", resource);
        Assert.True(response.IsSuccessStatusCode, $"PUT {resource.TypeName}/{resource.Id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task PatientsAsync(HttpClient client, params string[] ids)
    {
        foreach (var id in ids)
        {
            await Patients.StoreAsync(client, id);
        }
    }
}
