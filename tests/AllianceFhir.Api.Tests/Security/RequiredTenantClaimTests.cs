using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Security;

/// <summary><c>Auth:RequireTenantClaim</c>: a server that serves clinics only refuses a token naming no clinic.</summary>
public sealed class RequiredTenantClaimTests : IDisposable
{
    private readonly IdentityProvider _idp = new();
    private readonly FhirApplication _app;

    public RequiredTenantClaimTests() => _app = _idp.Protect(new FhirApplication()).With("Auth:RequireTenantClaim", "true");

    private HttpClient Client(IReadOnlyDictionary<string, object>? claims)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _idp.Token(SecuredApp.FullAccess, claims: claims));
        return client;
    }

    [Fact]
    public async Task A_token_without_a_tenant_claim_is_403_with_an_OperationOutcome_and_stores_nothing()
    {
        using var noClaim = Client(null);
        using var clinic = Client(new Dictionary<string, object> { ["tenant"] = "default" });
        var mrn = Guid.NewGuid().ToString("N");

        using var refused = await noClaim.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var outcome = await refused.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueType.Forbidden, outcome.Issue[0].Code);
        Assert.Contains("'tenant' claim", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        var stored = await (await clinic.GetAsync($"/fhir/Patient?identifier=http://clinic.example.org/mrn|{mrn}")).ReadAsAsync<Bundle>();
        Assert.Empty(stored.Entry);

        using var read = await noClaim.GetAsync("/fhir/Questionnaire/srs");
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
    }

    public void Dispose()
    {
        _app.Dispose();
        _idp.Dispose();
    }
}
