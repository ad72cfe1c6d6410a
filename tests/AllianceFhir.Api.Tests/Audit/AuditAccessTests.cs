using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Audit;

/// <summary>Audits of callers with real tokens: the agents, refused requests, and who may search the trail.</summary>
public sealed class AuditAccessTests(SecuredApp secured) : IClassFixture<SecuredApp>
{
    private string Database => secured.App.DatabasePath;

    [Fact]
    public async Task A_refused_write_is_audited_as_a_failure_and_stores_nothing_else()
    {
        var mrn = Guid.NewGuid().ToString("N");
        using var admin = secured.ClientWithScopes(SecuredApp.FullAccess);
        using var reader = secured.ClientWithScopes("user/Patient.rs");
        var before = AuditTrail.All(Database).Count;

        using var response = await reader.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var audit = Assert.Single(await AuditTrail.WaitForAsync(Database, db => [.. AuditTrail.All(db).Skip(before).Where(e => e.Subtype() == "create")]));
        Assert.Equal(AuditEvent.AuditEventOutcome.N4, audit.Outcome);
        Assert.Equal(AuditEvent.AuditEventAction.C, audit.Action);
        Assert.Contains(audit.Agent, a => a.Who?.Identifier?.Value == "test-client" && a.Requestor == false);
        Assert.Contains(audit.Agent, a => a.Who?.Identifier?.Value == "practitioner-1" && a.Requestor == true);
        Assert.DoesNotContain(audit.Entity, e => e.What?.Reference?.StartsWith("Patient/", StringComparison.Ordinal) == true);
        Assert.Empty((await admin.SearchAsync($"/fhir/Patient?identifier={mrn}")).Entry);
    }

    [Fact]
    public async Task A_request_without_a_token_is_audited_without_a_user()
    {
        var id = Guid.NewGuid().ToString("N");
        using var anonymous = secured.Client(null);

        using var response = await anonymous.GetAsync($"/fhir/Patient/{id}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var audit = Assert.Single(await AuditTrail.WaitForAsync(Database, db => AuditTrail.About(db, $"Patient/{id}")));
        Assert.Equal(AuditEvent.AuditEventOutcome.N4, audit.Outcome);
        Assert.DoesNotContain(audit.Agent, a => a.Who?.Identifier is not null);
    }

    [Fact]
    public async Task A_clinic_sees_only_its_own_AuditEvents()
    {
        var run = Guid.NewGuid().ToString("N")[..12];
        HttpClient Clinic(string tenant, string scopes) =>
            secured.Client(secured.Idp.Token(scopes, claims: new Dictionary<string, object> { ["tenant"] = tenant }));
        using var writerA = Clinic($"clinic-a-{run}", "user/Patient.cruds");
        using var auditorA = Clinic($"clinic-a-{run}", "user/AuditEvent.rs");
        using var auditorB = Clinic($"clinic-b-{run}", "user/AuditEvent.rs");
        using var created = await writerA.PostAsync("/fhir/Patient", Patients.WithMrn(run));
        var patient = await created.ReadAsAsync<Patient>();

        var own = await auditorA.SearchAsync($"/fhir/AuditEvent?patient=Patient/{patient.Id}");
        var other = await auditorB.SearchAsync($"/fhir/AuditEvent?patient=Patient/{patient.Id}");
        var id = Assert.Single(own.Entry).Resource!.Id;
        using var readByOther = await auditorB.GetAsync($"/fhir/AuditEvent/{id}");
        using var readByOwn = await auditorA.GetAsync($"/fhir/AuditEvent/{id}");

        Assert.Empty(other.Entry);
        Assert.Equal(HttpStatusCode.NotFound, readByOther.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readByOwn.StatusCode);
    }

    [Fact]
    public async Task AuditEvents_are_searchable_with_an_AuditEvent_scope_only()
    {
        using var writer = secured.ClientWithScopes("user/Patient.cruds");
        using var created = await writer.PostAsync("/fhir/Patient", Patients.WithMrn(Guid.NewGuid().ToString("N")));
        var patient = await created.ReadAsAsync<Patient>();
        using var auditor = secured.ClientWithScopes("user/AuditEvent.rs");
        using var clinician = secured.ClientWithScopes("user/Patient.rs");

        using var allowed = await auditor.GetAsync($"/fhir/AuditEvent?patient=Patient/{patient.Id}&action=C");
        using var refused = await clinician.GetAsync($"/fhir/AuditEvent?patient=Patient/{patient.Id}");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var found = Assert.Single((await allowed.ReadAsAsync<Bundle>()).Entry);
        Assert.Equal("create", ((AuditEvent)found.Resource!).Subtype());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
