using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Resources;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>How the server starts without an authority: open in Development (and loud about it), refused elsewhere.</summary>
public class OpenDevelopmentTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_development_a_start_without_an_authority_fails_naming_the_setting(string environment)
    {
        using var app = new FhirApplication { EnvironmentName = environment };

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("Auth:Authority", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auth:Authority", "not a url", "Auth:Authority")]
    [InlineData("Auth:Authority", "http://idp.example.org", "Auth:Authority")] // http needs RequireHttpsMetadata=false
    [InlineData("Auth:TenantClaim", "", "Auth:TenantClaim")]
    [InlineData("Cors:AllowedOrigins:0", "https://app.example.org/path", "Cors:AllowedOrigins")]
    [InlineData("RateLimit:PermitLimit", "0", "RateLimit:PermitLimit")]
    public void A_wrong_security_setting_fails_the_start_naming_it(string key, string value, string named)
    {
        using var app = new FhirApplication().With(key, value).With("Auth:Audience", "https://fhir.example.org/fhir");

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_authority_without_an_audience_fails_the_start_naming_it()
    {
        using var app = new FhirApplication { EnvironmentName = "Production" }.With("Auth:Authority", "https://idp.example.org");

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("Auth:Audience", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_without_an_authority_the_server_is_open_and_says_so()
    {
        using var app = new FhirApplication();
        using var client = app.CreateClient();

        using var created = await client.PostAsync("/fhir/Patient", Patients.WithMrn("open-dev"));
        var statement = await (await client.GetAsync("/fhir/metadata")).ReadAsAsync<CapabilityStatement>();
        using var smart = await client.GetAsync("/fhir/.well-known/smart-configuration");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("OPEN DEVELOPMENT SERVER", statement.Rest[0].Security?.Description, StringComparison.Ordinal);
        Assert.Empty(statement.Rest[0].Security?.Service ?? []);
        Assert.Equal(HttpStatusCode.NotFound, smart.StatusCode);
    }

    /// <summary>
    /// Every endpoint under the FHIR base is decided by its URL shape; one the classifier does not know would be refused
    /// for every caller, so a new endpoint fails here until its shape has a rule.
    /// </summary>
    [Fact]
    public void Every_fhir_endpoint_has_an_access_rule()
    {
        using var app = new FhirApplication();
        using var client = app.CreateClient();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/fhir", StringComparison.Ordinal) == true && e.Order != int.MaxValue);

        var unruled = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = (endpoint.RoutePattern.RawText ?? string.Empty)["/fhir".Length..]
                .Replace("{type}", "Patient", StringComparison.Ordinal)
                .Replace("{id}", "1", StringComparison.Ordinal)
                .Replace("{vid}", "2", StringComparison.Ordinal);
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                var kind = Core.Security.RestRequestClassifier.Classify(method, path, [], hasIfNoneExist: false).Kind;
                if (kind == Core.Security.RestRequestKind.Unknown)
                {
                    unruled.Add($"{method} {endpoint.RoutePattern.RawText}");
                }
            }
        }

        Assert.Empty(unruled);
        Assert.Contains(SupportedResourceTypes.All, t => endpoints.Any(e => e.RoutePattern.RawText == $"/fhir/{t}/{{id}}"));
    }

    [Fact]
    public async Task Swagger_is_served_only_where_enabled()
    {
        using var development = new FhirApplication();
        using var disabled = new FhirApplication().With("Swagger:Enabled", "false");

        using var served = await development.CreateClient().GetAsync("/swagger/v1/swagger.json");
        using var hidden = await disabled.CreateClient().GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("\"bearer\"", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }
}
