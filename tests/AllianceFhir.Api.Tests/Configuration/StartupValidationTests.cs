using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Configuration;

public class StartupValidationTests
{
    [Theory]
    [InlineData("Fhir:MaxRequestBodyBytes", "0", "Fhir:MaxRequestBodyBytes")]
    [InlineData("Fhir:MaxBundleEntries", "-1", "Fhir:MaxBundleEntries")]
    [InlineData("Fhir:ReferentialIntegrityOnDelete", "Sometimes", "Fhir:ReferentialIntegrityOnDelete")]
    [InlineData("Fhir:ReferentialIntegrityOnDelete", "7", "Fhir:ReferentialIntegrityOnDelete")]
    [InlineData("Storage:TenantId", "", "Storage:TenantId")]
    [InlineData("Storage:Provider", "Oracle", "Storage:Provider")]
    [InlineData("Fhir:PublicBaseUrl", "fhir.example.org/fhir", "Fhir:PublicBaseUrl")]
    [InlineData("Fhir:PublicBaseUrl", "ftp://fhir.example.org/fhir", "Fhir:PublicBaseUrl")]
    [InlineData("Fhir:PublicBaseUrl", "https://fhir.example.org/fhir?x=1", "Fhir:PublicBaseUrl")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "proxy.example.org", "ForwardedHeaders:KnownProxies")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99", "ForwardedHeaders:KnownNetworks")]
    [InlineData("Storage:Synchronous", "Sometimes", "Storage:Synchronous")]
    [InlineData("Storage:Synchronous", "7", "Storage:Synchronous")]
    public void Misconfigured_start_fails_naming_the_setting(string key, string value, string named)
    {
        using var app = new FhirApplication().With(key, value);

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Development answers any Host; everywhere else a wildcard would let a client choose the links we send.</summary>
    [Theory]
    [InlineData("*")]
    [InlineData("fhir.example.org;*")]
    public void Production_with_a_wildcard_allowed_host_fails_naming_the_setting(string value)
    {
        using var app = new FhirApplication { EnvironmentName = "Production" }
            .With("Auth:Authority", "https://idp.example.org")
            .With("Auth:Audience", "https://fhir.example.org/fhir")
            .With("AllowedHosts", value);

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("AllowedHosts", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_server_without_a_connection_string_fails_naming_it()
    {
        using var app = new FhirApplication().With("Storage:Provider", "SqlServer").With("ConnectionStrings:Fhir", null);

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("ConnectionStrings:Fhir", error.ToString(), StringComparison.Ordinal);
    }
}
