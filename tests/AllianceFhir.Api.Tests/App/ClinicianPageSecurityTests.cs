using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.App;

/// <summary>
/// With an authorization server configured, the clinician pages need the FHIR API's own bearer token (header, or the
/// page cookie <c>/app/session</c> sets from it) and show only what its scopes let it read; the patient form needs
/// only its link.
/// </summary>
public sealed class ClinicianPageSecurityTests : IClassFixture<SecuredApp>
{
    private const string Readers = "user/Patient.rs user/Observation.rs user/Flag.rs";
    private readonly SecuredApp _secured;
    private readonly HttpClient _admin;

    public ClinicianPageSecurityTests(SecuredApp secured)
    {
        _secured = secured;
        _admin = secured.ClientWithScopes(SecuredApp.FullAccess);
    }

    [Fact]
    public async Task Without_a_token_the_patient_page_is_a_401_sign_in_page_that_shows_no_patient_data()
    {
        await ClinicianScenario.SessionsAsync(_admin, "secure-none", ("2026-10-05T10:00:00Z", [5m, 5m, 5m, 5m]));

        using var page = await _secured.Client(null).GetAsync("/app/patients/secure-none");

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("/app/session?return=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Alex", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_read_scopes_sees_the_page_and_one_without_observation_scopes_gets_a_403_page()
    {
        await ClinicianScenario.SessionsAsync(_admin, "secure-read", ("2026-10-05T10:00:00Z", [5m, 5m, 5m, 5m]));

        using var allowed = await _secured.ClientWithScopes(Readers).GetAsync("/app/patients/secure-read");
        using var refused = await _secured.ClientWithScopes("user/Patient.rs user/Flag.rs").GetAsync("/app/patients/secure-read");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("<svg", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Observation", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_patient_token_sees_its_own_page_and_another_patient_is_not_found()
    {
        await ClinicianScenario.SessionsAsync(_admin, "secure-own", ("2026-10-05T10:00:00Z", [5m, 5m, 5m, 5m]));
        await ClinicianScenario.SessionsAsync(_admin, "secure-other", ("2026-10-05T10:00:00Z", [5m, 5m, 5m, 5m]));
        var client = _secured.Client(_secured.Idp.Token("patient/*.rs", claims: new Dictionary<string, object> { ["patient"] = "secure-own" }));

        using var own = await client.GetAsync("/app/patients/secure-own");
        using var other = await client.GetAsync("/app/patients/secure-other");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Session_sign_in_sets_an_http_only_strict_cookie_that_opens_the_pages()
    {
        await ClinicianScenario.SessionsAsync(_admin, "secure-cookie", ("2026-10-05T10:00:00Z", [5m, 5m, 5m, 5m]));
        var browser = _secured.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        using var bad = await browser.PostAsync("/app/session", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "not-a-token", ["return"] = "/app/patients/secure-cookie" }));
        using var signIn = await browser.PostAsync("/app/session", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = _secured.Idp.Token(Readers),
            ["return"] = "/app/patients/secure-cookie",
        }));
        using var page = await browser.GetAsync("/app/patients/secure-cookie");

        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.True(signIn.StatusCode == HttpStatusCode.Redirect, await signIn.Content.ReadAsStringAsync());
        Assert.Equal("/app/patients/secure-cookie", signIn.Headers.Location?.OriginalString);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/app", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task A_sign_in_posted_from_another_site_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/app/session")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = _secured.Idp.Token(Readers) }),
        };
        request.Headers.Add("Origin", "https://evil.example.org");

        using var response = await _secured.Client(null).SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [SkippableFact]
    public async Task Creating_a_link_needs_create_on_responses_and_the_form_then_needs_no_token()
    {
        LFormsAssets.SkipUnlessInstalled();
        await InstrumentResponses.StoreSubjectAsync(_admin, "secure-form");
        using var refused = await _secured.ClientWithScopes("user/Patient.rs user/Questionnaire.rs")
            .PostAsync("/fhir/Questionnaire/srs/$create-link", FormLinkRequests.LinkParameters("secure-form"));
        var path = await FormLinkRequests.CreateAsync(_secured.ClientWithScopes("user/Patient.rs user/QuestionnaireResponse.c"), "srs", "secure-form");
        var anonymous = _secured.Client(null);

        using var form = await anonymous.GetAsync(path);
        var srs = await InstrumentResponses.FetchAsync(_admin, "srs");
        var (status, _) = await FormLinkRequests.SubmitAsync(anonymous, path, InstrumentResponses.Decimals(srs, "secure-form", 8, 8, 8, 8));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Equal(HttpStatusCode.Created, status);
        var stored = await (await _admin.GetAsync("/fhir/QuestionnaireResponse?subject=Patient/secure-form")).ReadAsAsync<Bundle>();
        Assert.Single(stored.Entry);
    }
}
