using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Security;
using Hl7.Fhir.Model;
using static AllianceFhir.Api.Tests.Import.SpreadsheetFiles;

namespace AllianceFhir.Api.Tests.Import;

public class SpreadsheetImportAccessTests(SecuredApp secured) : IClassFixture<SecuredApp>
{
    [Theory]
    [InlineData("user/QuestionnaireResponse.cs")]
    [InlineData("user/QuestionnaireResponse.cs user/Patient.c")]
    [InlineData("user/QuestionnaireResponse.rs user/Patient.cs")]
    public async Task Without_create_and_search_on_both_types_the_import_is_403_and_stores_nothing(string scopes)
    {
        using var admin = secured.ClientWithScopes(SecuredApp.FullAccess);
        using var client = secured.ClientWithScopes(scopes);
        var system = UniqueSystem();

        using var response = await client.PostAsync(Operation, Csv(Sample("ors", system)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        Assert.Equal(0, await CountAsync(admin, $"Patient?identifier={system}|"));
    }

    [Fact]
    public async Task Patient_scopes_are_refused_even_for_the_tokens_own_patient()
    {
        using var admin = secured.ClientWithScopes(SecuredApp.FullAccess);
        var system = UniqueSystem();
        using var client = secured.Client(secured.Idp.Token("patient/QuestionnaireResponse.cs patient/Patient.cs", claims: new Dictionary<string, object> { ["patient"] = "p1" }));

        using var response = await client.PostAsync(Operation, Csv(Sample("ors", system)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("patient/", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(admin, $"Patient?identifier={system}|"));
    }

    [Fact]
    public async Task User_scopes_with_create_and_search_on_both_types_import()
    {
        using var client = secured.ClientWithScopes("user/QuestionnaireResponse.crs user/Patient.cs");

        var report = await ImportAsync(client, Csv(Sample("ors", UniqueSystem())));

        Assert.Equal(2, report.Count("created"));
    }

    [Fact]
    public async Task Without_a_token_the_import_is_401()
    {
        using var client = secured.Client(null);

        using var response = await client.PostAsync(Operation, Csv(Sample("ors", UniqueSystem())));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
