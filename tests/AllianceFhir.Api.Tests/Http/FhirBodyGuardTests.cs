using System.Net;
using System.Text;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Http;

/// <summary>Issue 9: bodies that crashed the process, answered 500, or were stored altered, over HTTP.</summary>
public sealed class FhirBodyGuardTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData(FhirHttp.Json, 40)]
    [InlineData(FhirHttp.Xml, 40)]
    [InlineData(FhirHttp.Json, 1_000)]
    [InlineData(FhirHttp.Xml, 1_000)]
    [InlineData(FhirHttp.Json, 10_000)]
    [InlineData(FhirHttp.Xml, 10_000)]
    public async Task Deep_nesting_is_refused_before_parsing_in_either_format(string mediaType, int levels)
    {
        var before = await _client.StoredVersionsAsync();
        var text = mediaType == FhirHttp.Json ? HostileBodies.NestedExtensionsJson(levels) : HostileBodies.NestedExtensionsXml(levels);

        using var response = await _client.PostAsync("/fhir/Patient", new StringContent(text, Encoding.UTF8, mediaType));

        var outcome = await response.AssertRefusedAsync(_client, $"more than {FhirBodyGuard.MaxNestingDepth} levels deep");
        Assert.Equal(OperationOutcome.IssueType.TooCostly, outcome.Issue[0].Code);
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>The resource is one level, each extension one more: MaxNestingDepth - 1 extensions reach the limit.</summary>
    [Theory]
    [InlineData(FhirBodyGuard.MaxNestingDepth - 1, HttpStatusCode.Created)]
    [InlineData(FhirBodyGuard.MaxNestingDepth, HttpStatusCode.BadRequest)]
    public async Task The_same_resource_is_accepted_or_refused_alike_as_JSON_and_as_XML(int extensionLevels, HttpStatusCode expected)
    {
        var patient = HostileBodies.NestedExtensionsPatient(extensionLevels);

        using var asJson = await _client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(patient));
        using var asXml = await _client.PostAsync("/fhir/Patient", HostileBodies.XmlBody(patient));

        Assert.Equal(expected, asJson.StatusCode);
        Assert.Equal(expected, asXml.StatusCode);
        if (expected == HttpStatusCode.Created)
        {
            // What was accepted reads back in both formats.
            var id = (await asXml.ReadAsAsync<Patient>()).Id;
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{id}");
            request.Headers.Accept.Add(FhirHttp.Accept(FhirHttp.Xml));
            using var read = await _client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.True(patient.Extension[0].IsExactly((await read.ReadAsAsync<Patient>()).Extension[0]));
        }
    }

    [Fact]
    public async Task Narrative_markup_nests_to_the_same_limit_in_either_format()
    {
        var tooDeep = new StringBuilder("x");
        for (var i = 0; i < FhirBodyGuard.MaxXhtmlDepth; i++)
        {
            tooDeep.Insert(0, "<b>").Append("</b>");
        }

        var div = $"""<div xmlns="http://www.w3.org/1999/xhtml">{tooDeep}</div>""";
        var json = """{"resourceType":"Patient","text":{"status":"generated","div":""" + System.Text.Json.JsonSerializer.Serialize(div) + "}}";
        var xml = $"""<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/>{div}</text></Patient>""";

        using var asJson = await _client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(json));
        using var asXml = await _client.PostAsync("/fhir/Patient", HostileBodies.XmlBody(xml));

        await asJson.AssertRefusedAsync(_client, "XHTML more than");
        await asXml.AssertRefusedAsync(_client, "XHTML more than");
    }

    [Fact]
    public async Task Deep_resource_inside_a_transaction_is_refused_and_nothing_is_stored()
    {
        var before = await _client.StoredVersionsAsync();
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(Clinical.NewMrn()))
            .Post(HostileBodies.NestedExtensionsPatient(FhirBodyGuard.MaxNestingDepth))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        await response.AssertRefusedAsync(_client, "levels deep");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    [Fact]
    public async Task Deep_resource_inside_Parameters_is_refused()
    {
        var parameters = new Parameters();
        parameters.Add("resource", HostileBodies.NestedExtensionsPatient(FhirBodyGuard.MaxNestingDepth));

        using var response = await _client.PostAsync("/fhir/QuestionnaireResponse/$validate", HostileBodies.XmlBody(parameters));

        await response.AssertRefusedAsync(_client, "levels deep");
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("\"x\"", "must be a JSON object")]
    [InlineData("42", "must be a JSON object")]
    [InlineData("""{"resourceType":"Resource"}""", "abstract type")]
    [InlineData("""{"resourceType":"DomainResource"}""", "abstract type")]
    [InlineData("""{"resourceType":"Patient","contained":[{"resourceType":"DomainResource"}]}""", "abstract type")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"a\ud800b"}]}""", "unpaired UTF-16 surrogate")]
    [InlineData("""{"resourceType":"Patient","\ud800x":1}""", "unpaired UTF-16 surrogate")]
    [InlineData("""{"resourceType":"Patient","name":[{"":"x","family":"a"}]}""", "empty name")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"a\u0000b"}]}""", "U+0000")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"a\u0001b"}]}""", "U+0001")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"a\uFFFEb"}]}""", "U+FFFE")]
    [InlineData("""{"resourceType":"Patient","extension":[{"url":"http://example.org/x","valueDecimal":1e-40}]}""", "cannot be stored exactly")]
    [InlineData("""{"resourceType":"Patient","extension":[{"url":"http://example.org/x","valueDecimal":0.123456789012345678901234567890123}]}""", "cannot be stored exactly")]
    [InlineData("""{"resourceType":"Patient","extension":[{"url":"http://example.org/x","valueDecimal":1e29}]}""", "cannot be stored exactly")]
    public async Task Malformed_JSON_is_400_not_500_and_nothing_is_stored(string body, string because)
    {
        var before = await _client.StoredVersionsAsync();

        using var response = await _client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(body));

        await response.AssertRefusedAsync(_client, because);
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>
    /// Fuzz finding: the XML parser accepted a narrative with no text, which R4 forbids and the JSON parser refuses; it
    /// was stored, and from then on every read and history page holding it was a 500.
    /// </summary>
    [Theory]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><pre></pre></div></text></Patient>""", FhirHttp.Xml)]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"> <p/> </div></text></Patient>""", FhirHttp.Xml)]
    [InlineData("""{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><pre></pre></div>"}}""", FhirHttp.Json)]
    public async Task A_narrative_without_text_is_refused_in_either_format(string body, string mediaType)
    {
        var before = await _client.StoredVersionsAsync();

        using var response = await _client.PostAsync("/fhir/Patient", new StringContent(body, Encoding.UTF8, mediaType));

        await response.AssertRefusedAsync(_client, "non-whitespace content");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>
    /// Fuzz finding (CI, seed 9CJxjsxFZt75): "contained" as one object instead of an array made Firely's parser throw from
    /// its own invariant check rather than report an issue; the request was a 500, alone and inside a transaction.
    /// </summary>
    [Fact]
    public async Task Contained_given_as_one_object_is_refused_alone_and_inside_a_transaction()
    {
        const string questionnaire = """{"resourceType":"Questionnaire","status":"draft","contained":{"resourceType":"ValueSet","id":"vs","status":"draft"}}""";
        var transaction = $$$"""{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:5f0c2a9e-7f51-4a55-9a8e-0f3b0c1d2e3f","resource":{{{questionnaire}}},"request":{"method":"POST","url":"Questionnaire"}}]}""";
        var before = await _client.StoredVersionsAsync();

        using var alone = await _client.PostAsync("/fhir/Questionnaire", FhirHttp.JsonBody(questionnaire));
        using var inBundle = await _client.PostAsync("/fhir", FhirHttp.JsonBody(transaction));

        await alone.AssertRefusedAsync(_client, "not a valid FHIR resource");
        await inBundle.AssertRefusedAsync(_client, "not a valid FHIR resource");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>
    /// Fuzz finding (seed 14ytAF1MZfb6, with the shape mutations): a repeated JSON property whose second value has
    /// another shape (a list given again as one object) made Firely's parser throw InvalidOperationException: a 500,
    /// alone, inside a transaction and as an import line alike. Repeats of the same shape it reported itself.
    /// </summary>
    [Theory]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"Fuzz","given":["Casey"],"given":{"id":"x"}}]}""")]
    [InlineData("""{"resourceType":"Patient","gender":"other","gender":"male"}""")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"Fuzz"}],"name":{"family":"Fuzz"}}""")]
    public async Task A_property_given_twice_is_refused_alone_and_inside_a_transaction(string patient)
    {
        var transaction = $$$"""{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:7e2f3b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b","resource":{{{patient}}},"request":{"method":"POST","url":"Patient"}}]}""";
        var before = await _client.StoredVersionsAsync();

        using var alone = await _client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(patient));
        using var inBundle = await _client.PostAsync("/fhir", FhirHttp.JsonBody(transaction));

        await alone.AssertRefusedAsync(_client, "more than once");
        await inBundle.AssertRefusedAsync(_client, "more than once");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>
    /// Fuzz finding (soak seed 43X9W8zQEZC3): an attribute that differs from value only in case (or is named like one of
    /// the element's own elements) made Firely's XML reader throw NotSupportedException: a 500.
    /// </summary>
    [Theory]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><name><family valUe="Fuzz"/></name></Patient>""")]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><active value="true" VALUE="false"/></Patient>""")]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><name><family value="Fuzz" extension="x"/></name></Patient>""")]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><name><family value="Fuzz" foo="x"/></name></Patient>""")]
    public async Task An_XML_attribute_other_than_id_url_or_value_is_refused(string body)
    {
        var before = await _client.StoredVersionsAsync();

        using var response = await _client.PostAsync("/fhir/Patient", HostileBodies.XmlBody(body));

        await response.AssertRefusedAsync(_client, "only the attributes id, url and value");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>
    /// Fuzz findings (seeds ashQgYV04iL4, 2pjT32hdLyv4): the id-and-extensions sibling of a repeating primitive given as
    /// one value ("_given": true, "x", or one object) made Firely's parser throw InvalidOperationException: a 500, on
    /// REST bodies and operations alike. Shapes the guard sees without the model it refuses itself; the rest are the
    /// parser's refusal.
    /// </summary>
    [Theory]
    [InlineData("""{"resourceType":"Patient","name":[{"given":["Casey"],"_given":true}]}""", "property starting with '_'")]
    [InlineData("""{"resourceType":"Patient","name":[{"given":["Casey"],"_given":"x"}]}""", "property starting with '_'")]
    [InlineData("""{"resourceType":"Patient","name":[{"given":["Casey"],"_given":[{"id":"a"},1]}]}""", "property starting with '_'")]
    [InlineData("""{"resourceType":"Patient","name":[{"given":["Casey"],"_given":{"id":"a"}}]}""", "shape the FHIR parser cannot read")]
    public async Task A_primitive_s_extensions_in_the_wrong_shape_are_refused(string body, string because)
    {
        var before = await _client.StoredVersionsAsync();

        using var response = await _client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(body));

        await response.AssertRefusedAsync(_client, because);
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>
    /// Fuzz finding (seeds cZzc-DLu1M43, aLULaDOgdQ05): a value attribute on an answer, whose value[x] is a choice, made
    /// Firely's XML reader throw NotSupportedException: a 500 on create and on $validate.
    /// </summary>
    [Theory]
    [InlineData("/fhir/QuestionnaireResponse")]
    [InlineData("/fhir/QuestionnaireResponse/$validate")]
    public async Task A_value_attribute_on_a_complex_element_is_refused(string url)
    {
        const string body = """<QuestionnaireResponse xmlns="http://hl7.org/fhir"><status value="completed"/><item><linkId value="1"/><answer value="1"><valueDecimal value="9.1"/></answer></item></QuestionnaireResponse>""";
        var before = await _client.StoredVersionsAsync();

        using var response = await _client.PostAsync(url, HostileBodies.XmlBody(body));

        await response.AssertRefusedAsync(_client, "it is not a primitive");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>
    /// Fuzz finding: a lone surrogate escaped in a property name threw while an operation's short body was inspected
    /// for "no parameters", and again while the guard compared names; both were 500s.
    /// </summary>
    [Theory]
    [InlineData("""{"resourceType":"Parameters","\ud800":1}""")]
    [InlineData("""{"\udfff":"Parameters"}""")]
    public async Task A_lone_surrogate_in_a_short_operation_body_is_400(string body)
    {
        var before = await _client.StoredVersionsAsync();

        using var response = await _client.PostAsync("/fhir/Questionnaire/srs/$populate", FhirHttp.JsonBody(body));

        await response.AssertRefusedAsync(_client, "unpaired UTF-16 surrogate");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    [Theory]
    [InlineData("""<Resource xmlns="http://hl7.org/fhir"/>""", "abstract type")]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><name><family value="a&#1;b"/></name></Patient>""", "invalid character")]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><name><family value="a&#0;b"/></name></Patient>""", "invalid character")]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><extension url="http://example.org/x"><valueDecimal value="1e-40"/></extension></Patient>""", "cannot be stored exactly")]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><extension url="http://example.org/x"><valueDecimal value="1e29"/></extension></Patient>""", "cannot be stored exactly")]
    [InlineData("""<Patient xmlns="http://hl7.org/fhir"><extension url="http://example.org/x"><valueQuantity><value value="0.123456789012345678901234567890123"/></valueQuantity></extension></Patient>""", "cannot be stored exactly")]
    [InlineData("""<!DOCTYPE Patient [<!ENTITY e "x">]><Patient xmlns="http://hl7.org/fhir"/>""", "DTD is prohibited")]
    public async Task Malformed_XML_is_400_and_nothing_is_stored(string body, string because)
    {
        var before = await _client.StoredVersionsAsync();

        using var response = await _client.PostAsync("/fhir/Patient", HostileBodies.XmlBody(body));

        await response.AssertRefusedAsync(_client, because);
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    [Theory]
    [InlineData(FhirHttp.Json)]
    [InlineData(FhirHttp.Xml)]
    public async Task Invalid_UTF8_is_refused_rather_than_stored_as_replacement_characters(string mediaType)
    {
        var before = await _client.StoredVersionsAsync();
        foreach (var bad in new byte[][] { [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80] })
        {
            var text = mediaType == FhirHttp.Json
                ? """{"resourceType":"Patient","identifier":[{"system":"http://clinic.example.org/mrn","value":"A#"}]}"""
                : """<Patient xmlns="http://hl7.org/fhir"><identifier><system value="http://clinic.example.org/mrn"/><value value="A#"/></identifier></Patient>""";
            var utf8 = Encoding.UTF8.GetBytes(text);
            var at = Array.IndexOf(utf8, (byte)'#');
            byte[] body = [.. utf8[..at], .. bad, .. utf8[(at + 1)..]];

            using var response = await _client.PostAsync("/fhir/Patient", HostileBodies.Body(body, mediaType));

            await response.AssertRefusedAsync(_client, "not valid UTF-8");
        }

        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    /// <summary>System.Decimal's largest value is stored and read back exactly, as JSON and as XML, also in a transaction.</summary>
    [Fact]
    public async Task The_largest_decimal_is_stored_faithfully()
    {
        const string largest = "7.9228162514264337593543950335e28";
        var json = """{"resourceType":"Observation","status":"final","code":{"text":"edge"},"valueQuantity":{"value":""" + largest + "}}";

        using var created = await _client.PostAsync("/fhir/Observation", FhirHttp.JsonBody(json));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadAsAsync<Observation>()).Id;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Observation/{id}?_format=xml");
        using var asXml = await _client.SendAsync(request);
        Assert.Equal(decimal.MaxValue, Assert.IsType<Quantity>((await asXml.ReadAsAsync<Observation>()).Value).Value);

        var xml = $"""<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="edge"/></code><valueQuantity><value value="{largest}"/></valueQuantity></Observation>""";
        using var createdFromXml = await _client.PostAsync("/fhir/Observation", HostileBodies.XmlBody(xml));
        Assert.Equal(HttpStatusCode.Created, createdFromXml.StatusCode);
        Assert.Equal(decimal.MaxValue, Assert.IsType<Quantity>((await createdFromXml.ReadAsAsync<Observation>()).Value).Value);

        var transaction = """{"resourceType":"Bundle","type":"transaction","entry":[{"resource":""" + json + ""","request":{"method":"POST","url":"Observation"}}]}""";
        using var committed = await _client.PostAsync("/fhir", FhirHttp.JsonBody(transaction));
        Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        var location = (await committed.ReadAsAsync<Bundle>()).Entry[0].Response!.Location;
        using var stored = await _client.GetAsync($"/fhir/{location}");
        Assert.Equal(decimal.MaxValue, Assert.IsType<Quantity>((await stored.ReadAsAsync<Observation>()).Value).Value);
    }

    [Fact]
    public async Task An_inexact_decimal_inside_a_transaction_is_refused_and_nothing_is_stored()
    {
        var before = await _client.StoredVersionsAsync();
        var transaction = """
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
              {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.00000000000000000000000000000001}},
               "request":{"method":"POST","url":"Observation"}}]}
            """;

        using var response = await _client.PostAsync("/fhir", FhirHttp.JsonBody(transaction));

        await response.AssertRefusedAsync(_client, "cannot be stored exactly");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }
}
