using AllianceFhir.Api.Endpoints;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Security;

/// <summary>
/// The CapabilityStatement's <c>rest.security</c>: the SMART-on-FHIR service with the oauth-uris extension (SMART App
/// Launch, "Declaring support"), or, on an open Development server, a description that says it is open.
/// </summary>
public sealed class SecurityCapability(IOptions<AuthOptions> auth, IOptions<CorsSettings> cors, SmartEndpoints endpoints) : ICapabilityRestContributor
{
    public const string OpenDescription =
        "OPEN DEVELOPMENT SERVER: no Auth:Authority is configured, so every request runs as one full-access development user. "
        + "Never put patient data on it.";

    public const string ServiceSystem = "http://terminology.hl7.org/CodeSystem/restful-security-service";
    public const string OAuthUris = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    public async ValueTask ContributeAsync(CapabilityStatement.RestComponent rest, HttpRequest request, CancellationToken cancellationToken)
    {
        if (auth.Value.IsOpen)
        {
            rest.Security = new CapabilityStatement.SecurityComponent { Cors = cors.Value.AllowedOrigins.Length > 0, Description = OpenDescription };
            return;
        }

        var security = new CapabilityStatement.SecurityComponent
        {
            Cors = cors.Value.AllowedOrigins.Length > 0,
            Service = [new CodeableConcept(ServiceSystem, "SMART-on-FHIR", "SMART-on-FHIR")],
            Description = "SMART on FHIR: send an OAuth 2.0 bearer token from the authorization server below; "
                + "access follows the token's SMART v1/v2 user/ and system/ scopes. See [base]/.well-known/smart-configuration.",
        };
        try
        {
            var uris = await endpoints.ResolveAsync(cancellationToken);
            var extension = new Extension { Url = OAuthUris };
            AddUri(extension, "authorize", uris.AuthorizationEndpoint);
            AddUri(extension, "token", uris.TokenEndpoint);
            security.Extension.Add(extension);
        }
        catch (FhirOperationException)
        {
            // The CapabilityStatement stays available while the authorization server is unreachable; the URIs come back with it.
        }

        rest.Security = security;
    }

    private static void AddUri(Extension extension, string name, string? uri)
    {
        if (!string.IsNullOrEmpty(uri))
        {
            extension.Extension.Add(new Extension(name, new FhirUri(uri)));
        }
    }
}
