using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using System.Xml.XPath;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Conformance;

/// <summary>
/// Runs the parts of a TestScript the search scripts use: create/read/search operations, and asserts on response
/// code, resource type, header, content type, request URL, navigation links, FHIRPath expressions and XPath paths.
/// Profile validation is not evaluated (the scripts mark it warning-only). Failed warning-only asserts are reported,
/// not failed.
/// </summary>
public sealed partial class TestScriptRunner(HttpClient http, string scriptFolder, IReadOnlyDictionary<string, string> dynamicVariables)
{
    private static readonly FhirJsonDeserializer Lenient = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    private readonly Dictionary<string, Response> _responses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _variables = new(dynamicVariables, StringComparer.Ordinal);
    private Response? _last;
    private string _lastUrl = string.Empty;

    public List<string> Failures { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<string> Log { get; } = [];

    private sealed record Response(int Status, HttpResponseMessage Message, string Body, Resource? Resource);

    public async Task RunAsync(TestScript script)
    {
        var actions = (script.Setup?.Action.Select(a => (a.Operation, a.Assert)) ?? [])
            .Concat(script.Test.SelectMany(t => t.Action.Select(a => (a.Operation, a.Assert))));
        foreach (var (operation, assert) in actions)
        {
            if (operation is not null)
            {
                await ExecuteAsync(script, operation);
            }

            if (assert is not null)
            {
                Check(script, assert);
            }
        }
    }

    private async Task ExecuteAsync(TestScript script, TestScript.OperationComponent operation)
    {
        var code = operation.Type?.Code;
        using var request = code switch
        {
            "create" => new HttpRequestMessage(HttpMethod.Post, $"/fhir/{operation.Resource}")
            {
                Content = new StringContent(Fixture(script, operation.SourceId), Encoding.UTF8, "application/fhir+json"),
            },
            "read" when operation.Url is not null => new HttpRequestMessage(HttpMethod.Get, Relative(Substitute(operation.Url))),
            "read" => new HttpRequestMessage(HttpMethod.Get, $"/fhir/{operation.Resource}/{Substitute(operation.Params ?? string.Empty).TrimStart('/')}"),
            "search" => new HttpRequestMessage(HttpMethod.Get, $"/fhir/{operation.Resource}{Substitute(operation.Params ?? string.Empty)}"),
            _ => throw new NotSupportedException($"TestScript operation '{code}' is not supported by this runner."),
        };
        if (operation.Accept is { Length: > 0 } accept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept.Contains('/', StringComparison.Ordinal) ? accept : $"application/fhir+{accept}"));
        }

        _lastUrl = request.RequestUri!.ToString();
        var message = await http.SendAsync(request);
        var body = await message.Content.ReadAsStringAsync();
        _last = new Response((int)message.StatusCode, message, body, Parse(message, body));
        Log.Add($"{request.Method} {_lastUrl} → {_last.Status}");
        if (operation.ResponseId is { } responseId)
        {
            _responses[responseId] = _last;
            foreach (var variable in script.Variable.Where(v => v.SourceId == responseId))
            {
                if (variable is { Name: { } name, HeaderField: { } header })
                {
                    _variables[name] = message.Headers.TryGetValues(header, out var values) ? values.First()
                        : message.Content.Headers.TryGetValues(header, out var contentValues) ? contentValues.First() : string.Empty;
                }
            }
        }
    }

    private void Check(TestScript script, TestScript.AssertComponent assert)
    {
        var description = assert.Description ?? assert.Label ?? "assert";
        string? problem;
        try
        {
            problem = Evaluate(assert);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or XPathException or NotSupportedException)
        {
            problem = ex.Message;
        }

        if (problem is null)
        {
            return;
        }

        var text = $"{script.Name}: {description}: {problem}";
        (assert.WarningOnly == true ? Warnings : Failures).Add(text);
    }

    /// <summary>Null when the assert holds, else what was wrong.</summary>
    private string? Evaluate(TestScript.AssertComponent assert)
    {
        var last = _last ?? throw new InvalidOperationException("No operation ran before this assert.");
        if (assert.Response is { } expected)
        {
            var status = expected switch
            {
                TestScript.AssertionResponseTypes.Okay => 200,
                TestScript.AssertionResponseTypes.Created => 201,
                TestScript.AssertionResponseTypes.NoContent => 204,
                TestScript.AssertionResponseTypes.Bad => 400,
                TestScript.AssertionResponseTypes.NotFound => 404,
                _ => throw new NotSupportedException($"response '{expected}'"),
            };
            return last.Status == status ? null : $"expected {status}, got {last.Status}: {last.Body}";
        }

        if (assert.ResponseCode is { } code)
        {
            return code.Split(',').Contains(last.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)) ? null : $"expected {code}, got {last.Status}";
        }

        if (assert.Resource is { } type)
        {
            return last.Resource?.TypeName == type.ToString() ? null : $"expected a {type}, got {last.Resource?.TypeName ?? "no resource"}";
        }

        if (assert.HeaderField is { } header)
        {
            var present = last.Message.Headers.Contains(header) || last.Message.Content.Headers.Contains(header);
            return present ? null : $"header {header} is missing";
        }

        if (assert.ContentType is { } contentType)
        {
            var actual = last.Message.Content.Headers.ContentType?.MediaType ?? string.Empty;
            return actual.Contains(contentType, StringComparison.Ordinal) ? null : $"content type {actual}, expected {contentType}";
        }

        if (assert.RequestURL is { } part)
        {
            return _lastUrl.Contains(part, StringComparison.Ordinal) ? null : $"request URL {_lastUrl} lacks {part}";
        }

        if (assert.NavigationLinks == true)
        {
            // The R4 links a searchset may carry; every one must be an absolute URL, and self must be there.
            var bundle = last.Resource as Bundle;
            return bundle is not null && bundle.Link.Any(l => l.Relation == "self")
                && bundle.Link.All(l => Uri.IsWellFormedUriString(l.Url, UriKind.Absolute))
                ? null
                : "the Bundle has no self link or a malformed link";
        }

        if (assert.Expression is { } expression)
        {
            var result = last.Resource?.Scalar(expression)?.ToString();
            var want = assert.Value ?? "True";
            return string.Equals(result, want, StringComparison.OrdinalIgnoreCase) ? null : $"{expression} = {result ?? "empty"}, expected {want}";
        }

        if (assert.Path is { } path)
        {
            var document = XDocument.Parse(last.Body);
            var namespaces = new System.Xml.XmlNamespaceManager(new System.Xml.NameTable());
            namespaces.AddNamespace("fhir", "http://hl7.org/fhir");
            var value = ((IEnumerable<object>)document.XPathEvaluate(path, namespaces)).OfType<XAttribute>().FirstOrDefault()?.Value;
            return value == assert.Value ? null : $"{path} = {value ?? "nothing"}, expected {assert.Value}";
        }

        if (assert.ValidateProfileId is not null)
        {
            Warnings.Add($"profile validation ({assert.ValidateProfileId}) is not evaluated by this runner");
            return null;
        }

        throw new NotSupportedException($"assert '{assert.Description}' uses a check this runner does not support");
    }

    private string Fixture(TestScript script, string? sourceId)
    {
        var fixture = script.Fixture.FirstOrDefault(f => f.ElementId == sourceId)
            ?? throw new InvalidOperationException($"No fixture '{sourceId}'.");
        var file = Path.Combine(scriptFolder, fixture.Resource?.Reference ?? throw new InvalidOperationException($"Fixture '{sourceId}' has no reference."));
        return File.ReadAllText(file);
    }

    private string Substitute(string text) =>
        VariablePattern().Replace(text, m => _variables.TryGetValue(m.Groups[1].Value, out var v) ? Uri.EscapeDataString(v) : m.Value)
            .Replace("%3A", ":", StringComparison.Ordinal).Replace("%2F", "/", StringComparison.Ordinal);

    /// <summary>The test server answers on http://localhost; an absolute Location becomes a path for the client.</summary>
    private static string Relative(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : url;

    private static Resource? Parse(HttpResponseMessage message, string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return message.Content.Headers.ContentType?.MediaType?.Contains("xml", StringComparison.Ordinal) == true
                ? FhirSerialization.XmlDeserializer.DeserializeResource(body)
                : Lenient.DeserializeResource(body);
        }
        catch (DeserializationFailedException ex)
        {
            return ex.PartialResult as Resource;
        }
    }

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex VariablePattern();
}
