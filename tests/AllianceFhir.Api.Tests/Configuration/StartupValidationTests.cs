using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Configuration;

public class StartupValidationTests
{
    [Theory]
    [InlineData("Fhir:MaxRequestBodyBytes", "0", "Fhir:MaxRequestBodyBytes")]
    [InlineData("Fhir:MaxBundleEntries", "-1", "Fhir:MaxBundleEntries")]
    [InlineData("Storage:TenantId", "", "Storage:TenantId")]
    [InlineData("Storage:Provider", "Oracle", "Storage:Provider")]
    [InlineData("Storage:Synchronous", "Sometimes", "Storage:Synchronous")]
    [InlineData("Storage:Synchronous", "7", "Storage:Synchronous")]
    public void Misconfigured_start_fails_naming_the_setting(string key, string value, string named)
    {
        using var app = new FhirApplication().With(key, value);

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
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
