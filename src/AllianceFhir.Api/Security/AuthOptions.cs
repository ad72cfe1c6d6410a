namespace AllianceFhir.Api.Security;

/// <summary>The <c>Auth</c> section: the authorization server whose bearer tokens this resource server accepts.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The issuer URL; its <c>/.well-known/openid-configuration</c> gives the signing keys (JWKS). Unset: open Development mode.</summary>
    public string? Authority { get; set; }

    /// <summary>The <c>aud</c> tokens must carry, usually this server's FHIR base URL.</summary>
    public string? Audience { get; set; }

    /// <summary>Only tests against a loopback IdP turn this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public string TenantClaim { get; set; } = "tenant";

    public string PatientClaim { get; set; } = "patient";

    /// <summary>Refuse tokens without a tenant claim (403), for deployments where every caller belongs to a clinic; off: such callers get <c>Storage:TenantId</c>.</summary>
    public bool RequireTenantClaim { get; set; }

    /// <summary>Overrides for the SMART configuration, when the discovery document's endpoints are not the ones apps should use.</summary>
    public string? AuthorizationEndpoint { get; set; }

    public string? TokenEndpoint { get; set; }

    public string? JwksUri { get; set; }

    /// <summary>No authority: the Development server runs open (refused at start in any other environment).</summary>
    public bool IsOpen => string.IsNullOrWhiteSpace(Authority);
}
