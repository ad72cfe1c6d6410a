using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>
/// Scope × interaction (× the token's patient) → status, over HTTP with real tokens; a refused write leaves nothing
/// behind, and where a resource is hidden the answer is the one an unknown id gets.
/// </summary>
public class ScopeMatrixTests(SecuredApp secured) : IClassFixture<SecuredApp>
{
    private const string Interactions = "read vread search create update delete history transaction operation populate";

    /// <summary>The token's patient claim: none, the Patient the interactions are about, or another patient.</summary>
    private const string NoPatient = "", Own = "own", Other = "other";

    /// <summary>
    /// Each row: the token's scopes and patient claim, then per interaction (in <see cref="Interactions"/> order)
    /// y = allowed, n = 403, h = hidden: answered exactly as the same request about an unknown id, nothing changed.
    /// </summary>
    private static readonly (string Scopes, string Patient, string Allowed)[] Rows =
    [
        ("user/Patient.rs", NoPatient, "y y y n n n y n n y"),
        ("user/Patient.read", NoPatient, "y y y n n n y n n y"),
        ("user/Patient.cud", NoPatient, "n n n y y y n y n n"),
        ("user/Patient.write", NoPatient, "n n n y y y n y n n"),
        ("user/Patient.cruds", NoPatient, "y y y y y y y y n y"),
        ("user/*.cruds", NoPatient, "y y y y y y y y y y"),
        ("user/*.*", NoPatient, "y y y y y y y y y y"),
        ("system/*.*", NoPatient, "y y y y y y y y y y"),
        ("system/*.rs", NoPatient, "y y y n n n y n n y"),
        ("system/Patient.c", NoPatient, "n n n y n n n y n n"),
        ("user/Observation.rs", NoPatient, "n n n n n n n n n n"),
        ("user/QuestionnaireResponse.c", NoPatient, "n n n n n n n n y n"),
        ("user/QuestionnaireResponse.rs", NoPatient, "n n n n n n n n n n"),
        ("patient/Patient.read", NoPatient, "n n n n n n n n n n"),
        ("user/Observation.rs?category=survey", NoPatient, "n n n n n n n n n n"),
        ("openid fhirUser", NoPatient, "n n n n n n n n n n"),

        // patient/ scopes: the token's own Patient is in its compartment (a new Patient is not: create is 403); another
        // patient's is hidden from every interaction by id, PUT and DELETE included, and from $populate's subject.
        ("patient/Patient.cruds", Own, "y y y n y y y n n y"),
        ("patient/Patient.cruds", Other, "h h h n h h h n n h"),
        ("patient/*.cruds", Other, "h h h n h h h n y h"),
        ("patient/Patient.rs user/Patient.c", Other, "h h h y n n h y n h"),
    ];

    public static TheoryData<string, string, string, string> Matrix()
    {
        var data = new TheoryData<string, string, string, string>();
        var names = Interactions.Split(' ');
        foreach (var (scopes, patient, allowed) in Rows)
        {
            var flags = allowed.Split(' ');
            Assert.Equal(names.Length, flags.Length);
            for (var i = 0; i < names.Length; i++)
            {
                data.Add(scopes, patient, names[i], flags[i]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Scope_decides_the_interaction(string scopes, string patient, string interaction, string expected)
    {
        // A client id of its own per case: the per-client rate limit is not what this matrix is about.
        var clientId = Guid.NewGuid().ToString("N");
        using var admin = secured.Client(secured.Idp.Token(SecuredApp.FullAccess, claims: new Dictionary<string, object> { ["client_id"] = clientId }));
        var mrn = Guid.NewGuid().ToString("N");
        var existing = await (await admin.PostAsync("/fhir/Patient", Patients.WithMrn(mrn))).ReadAsAsync<Patient>();
        var claim = patient switch
        {
            Own => existing.Id,
            Other => (await (await admin.PostAsync("/fhir/Patient", Patients.WithMrn(Guid.NewGuid().ToString("N")))).ReadAsAsync<Patient>()).Id,
            _ => null,
        };
        var claims = new Dictionary<string, object> { ["client_id"] = clientId };
        if (claim is not null)
        {
            claims["patient"] = claim;
        }

        using var client = secured.Client(secured.Idp.Token(scopes, claims: claims));
        var newMrn = Guid.NewGuid().ToString("N");

        using var response = await SendAsync(client, interaction, existing, mrn, newMrn);

        var success = interaction switch
        {
            "create" => HttpStatusCode.Created,
            "delete" => HttpStatusCode.NoContent,
            _ => HttpStatusCode.OK,
        };
        if (expected == "y")
        {
            Assert.Equal(success, response.StatusCode);
            return;
        }

        if (expected == "h")
        {
            // The same request about an id (or identifier) that was never stored must get the very same answer.
            var unknown = Patients.WithId(Guid.NewGuid().ToString("N"));
            using var control = await SendAsync(client, interaction, unknown, Guid.NewGuid().ToString("N"), newMrn);
            Assert.Equal(control.StatusCode, response.StatusCode);
            Assert.Equal(
                (await AnswerAsync(control)).Replace(unknown.Id!, "{id}", StringComparison.Ordinal),
                (await AnswerAsync(response)).Replace(existing.Id!, "{id}", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/fhir/Patient/{unknown.Id}")).StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var outcome = await response.ReadAsAsync<OperationOutcome>();
            Assert.Equal(OperationOutcome.IssueType.Forbidden, outcome.Issue[0].Code);
            Assert.Matches("needs the scope|would be outside", outcome.Issue[0].Diagnostics);
        }

        // Nothing a refused request asked for happened.
        Assert.Empty(await PatientsWithMrnAsync(admin, newMrn));
        var current = await (await admin.GetAsync($"/fhir/Patient/{existing.Id}")).ReadAsAsync<Patient>();
        Assert.Equal("1", current.Meta?.VersionId);
        Assert.Equal("Example", current.Name[0].Family);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string interaction, Patient target, string mrn, string newMrn) =>
        interaction switch
        {
            "read" => await client.GetAsync($"/fhir/Patient/{target.Id}"),
            "vread" => await client.GetAsync($"/fhir/Patient/{target.Id}/_history/1"),
            "search" => await client.GetAsync($"/fhir/Patient?identifier=http://clinic.example.org/mrn|{mrn}"),
            "create" => await client.PostAsync("/fhir/Patient", Patients.WithMrn(newMrn)),
            "update" => await client.PutAsync($"/fhir/Patient/{target.Id}", Renamed(target)),
            "delete" => await client.DeleteAsync($"/fhir/Patient/{target.Id}"),
            "history" => await client.GetAsync($"/fhir/Patient/{target.Id}/_history"),
            "transaction" => await client.PostAsync("/fhir", Transaction(Patients.WithMrn(newMrn))),
            "populate" => await client.GetAsync($"/fhir/Questionnaire/srs/$populate?subject=Patient/{target.Id}"),
            _ => await client.PostAsync("/fhir/QuestionnaireResponse/$validate", new QuestionnaireResponse
            {
                Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
                Questionnaire = "http://example.org/Questionnaire/none",
            }),
        };

    /// <summary>What a client learns from an answer's body: an outcome's codes and words, or a searchset's size.</summary>
    private static async Task<string> AnswerAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentLength == 0)
        {
            return string.Empty;
        }

        return await response.ReadAsAsync<Resource>() switch
        {
            OperationOutcome outcome => string.Join('\n', outcome.Issue.Select(i => $"{i.Severity} {i.Code} {i.Diagnostics} {string.Join(',', i.Expression)}")),
            Bundle bundle => $"{bundle.Type} {bundle.Total} {bundle.Entry.Count}",
            var other => other.TypeName,
        };
    }

    [Fact]
    public async Task A_refusal_names_the_scope_that_would_allow_it_in_the_body_and_the_challenge()
    {
        using var client = secured.ClientWithScopes("user/Patient.rs");

        using var response = await client.PostAsync("/fhir/Patient", Patients.WithMrn("needs-create"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("scope=\"user/Patient.c\"", challenge.Parameter, StringComparison.Ordinal);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains("user/Patient.c", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fhir/Questionnaire")]
    [InlineData("/fhir/CodeSystem")]
    [InlineData("/fhir/ValueSet")]
    public async Task The_instrument_catalog_is_readable_with_any_valid_token(string path)
    {
        using var client = secured.ClientWithScopes("openid");

        using var search = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
    }

    [Fact]
    public async Task The_catalog_is_not_writable_without_a_write_scope()
    {
        using var client = secured.ClientWithScopes("user/Patient.cruds");

        using var response = await client.PostAsync("/fhir/Questionnaire", new Questionnaire { Status = PublicationStatus.Draft });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_conditional_create_also_needs_search()
    {
        using var client = secured.ClientWithScopes("user/Patient.c");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn("conditional")) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", "identifier=http://clinic.example.org/mrn|conditional");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("user/Patient.s", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_include_the_caller_may_not_read_is_refused_and_an_untyped_one_is_narrowed()
    {
        using var admin = secured.ClientWithScopes(SecuredApp.FullAccess);
        var patient = await (await admin.PostAsync("/fhir/Patient", Patients.WithMrn(Guid.NewGuid().ToString("N")))).ReadAsAsync<Patient>();
        var code = Guid.NewGuid().ToString("N");
        await admin.PostAsync("/fhir/Observation", new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://example.org/codes", code),
            Subject = new ResourceReference($"Patient/{patient.Id}"),
        });

        using var observationsOnly = secured.ClientWithScopes("user/Observation.rs");
        using var refused = await observationsOnly.GetAsync($"/fhir/Observation?code={code}&_include=Observation:subject:Patient");
        using var both = secured.ClientWithScopes("user/Observation.rs user/Patient.r");
        var narrowed = await (await both.GetAsync($"/fhir/Observation?code={code}&_include=Observation:subject")).ReadAsAsync<Bundle>();

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("user/Patient.r", (await refused.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Contains(narrowed.Entry, e => e.Search?.Mode == Bundle.SearchEntryMode.Include && e.Resource is Patient);
    }

    [Fact]
    public async Task A_chained_search_needs_search_on_the_chained_type()
    {
        using var client = secured.ClientWithScopes("user/Observation.rs");

        using var response = await client.GetAsync("/fhir/Observation?subject:Patient.name=Example");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("user/Patient.s", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_conditional_update_whose_condition_chains_into_another_type_needs_search_on_it()
    {
        using var client = secured.ClientWithScopes("user/Observation.crus");
        var observation = new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://example.org/codes", "chained") };

        using var response = await client.PutAsync("/fhir/Observation?subject:Patient.identifier=http://clinic.example.org/mrn|chained", observation);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("user/Patient.s", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_whole_system_search_needs_search_on_every_type_it_covers()
    {
        using var some = secured.ClientWithScopes("user/Patient.rs");
        using var all = secured.ClientWithScopes("user/*.rs");

        using var refused = await some.GetAsync("/fhir?_lastUpdated=gt2000-01-01");
        using var typed = await some.GetAsync("/fhir?_type=Patient&_lastUpdated=gt2000-01-01");
        using var everything = await all.GetAsync("/fhir?_lastUpdated=gt2000-01-01");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, typed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, everything.StatusCode);
    }

    internal static Bundle Transaction(params Resource[] creates)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var resource in creates)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{Guid.NewGuid()}",
                Resource = resource,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName },
            });
        }

        return bundle;
    }

    internal static async Task<List<Bundle.EntryComponent>> PatientsWithMrnAsync(HttpClient admin, string mrn) =>
        (await (await admin.GetAsync($"/fhir/Patient?identifier=http://clinic.example.org/mrn|{mrn}")).ReadAsAsync<Bundle>()).Entry;

    private static Patient Renamed(Patient patient)
    {
        var copy = (Patient)patient.DeepCopy();
        copy.Name[0].Family = "Renamed";
        return copy;
    }
}
