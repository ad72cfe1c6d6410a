using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace AllianceFhir.Api.Tests.Clients;

/// <summary>Firely's FhirClient, unchanged, against the real app: what an EHR vendor's .NET integration does.</summary>
public class FirelyClientTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private FhirClient Client(ResourceFormat format = ResourceFormat.Json) =>
        new(new Uri(app.Server.BaseAddress, "/fhir/"), new FhirClientSettings { PreferredFormat = format, VerifyFhirVersion = true },
            app.Server.CreateHandler());

    [Theory]
    [InlineData(ResourceFormat.Json)]
    [InlineData(ResourceFormat.Xml)]
    public async Task Create_read_update_history_and_delete_round_trip(ResourceFormat format)
    {
        using var client = Client(format);

        var created = await client.CreateAsync(Patients.WithMrn($"firely-{format}"));
        Assert.NotNull(created);
        Assert.Equal("1", created.Meta?.VersionId);

        created.Name[0].Family = "Updated";
        var updated = await client.UpdateAsync(created, versionAware: true);
        Assert.Equal("2", updated?.Meta?.VersionId);

        var read = await client.ReadAsync<Patient>($"Patient/{created.Id}");
        Assert.Equal("Updated", read?.Name[0].Family);

        var v1 = await client.ReadAsync<Patient>($"Patient/{created.Id}/_history/1");
        Assert.NotEqual("Updated", v1?.Name[0].Family);

        var history = await client.HistoryAsync($"Patient/{created.Id}");
        Assert.Equal(2, history?.Entry.Count);

        await client.DeleteAsync($"Patient/{created.Id}");
        var gone = await Assert.ThrowsAsync<FhirOperationException>(() => client.ReadAsync<Patient>($"Patient/{created.Id}"));
        Assert.Equal(System.Net.HttpStatusCode.Gone, gone.Status);
    }

    [Fact]
    public async Task Capability_statement_is_readable_by_the_client()
    {
        using var client = Client();

        var capabilities = await client.CapabilityStatementAsync();

        Assert.Equal(FHIRVersion.N4_0_1, capabilities?.FhirVersion);
    }

    [Fact]
    public async Task Stale_version_aware_update_surfaces_as_412()
    {
        using var client = Client();
        var created = await client.CreateAsync(Patients.WithMrn("firely-412"));
        Assert.NotNull(created);
        var stale = (Patient)created.DeepCopy();
        created.Active = true;
        await client.UpdateAsync(created, versionAware: true);

        stale.Active = false;
        var error = await Assert.ThrowsAsync<FhirOperationException>(() => client.UpdateAsync(stale, versionAware: true));

        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, error.Status);
    }
}
