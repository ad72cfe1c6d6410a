using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Http;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Storage;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Security;

/// <summary>
/// Every request under the FHIR base passes here before its endpoint: the bearer token is validated (by ASP.NET Core's
/// JwtBearer handler), the caller's <see cref="AccessContext"/> is built from it, and <see cref="AccessPolicy"/> decides
/// the interaction the URL names. Deciding by URL shape means an endpoint cannot be added without being covered; a
/// shape the classifier does not know is refused (unless it is the fallback, which answers 404/405).
/// </summary>
public sealed class FhirAccessMiddleware(
    RequestDelegate next,
    IOptions<AuthOptions> options,
    IOptions<StorageOptions> storage,
    IOptions<FhirServerOptions> server,
    AccessPolicy policy,
    SearchParameterRegistry registry,
    TokenValidationCache acceptedTokens,
    TimeProvider clock)
{
    /// <summary>The open server's one caller in the default tenant (settings are fixed for the process).</summary>
    private AccessContext? _developmentCaller;

    /// <summary>The last request's base and what it was built from: the same on nearly every request.</summary>
    private KnownBase? _lastBase;

    public async Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments(FhirUrls.BasePath, out var below))
        {
            await next(http);
            return;
        }

        var request = RequestClassification.Of(http, below);
        if (request.Kind == RestRequestKind.Public)
        {
            await next(http);
            return;
        }

        var caller = await AuthenticateAsync(http, BaseOf(http.Request));
        if (caller is null)
        {
            return;
        }

        http.SetAccessContext(caller);
        switch (request.Kind)
        {
            case RestRequestKind.Interaction:
                AuditEventWrites.EnsureAllowed(request.Access!.Interaction, request.Access.ResourceTypes[0]);
                var decision = policy.Decide(caller, request.Access!);
                if (!decision.Allowed)
                {
                    await BearerResponses.InsufficientScopeAsync(http, decision.NeededScope!, decision.Reason!);
                    return;
                }

                AuthorizeCondition(http, caller, request.Access!);
                await RestrictedAccess.AuthorizeInstanceAsync(http, caller, policy, request.Access!, below.Value ?? string.Empty);
                break;
            case RestRequestKind.Unknown when !IsFallback(http):
                throw FhirOperationException.Of(
                    System.Net.HttpStatusCode.Forbidden,
                    OperationOutcome.IssueType.Forbidden,
                    $"{http.Request.Method} {http.Request.Path} has no access rule on this server (see Core/Security/RestRequestClassifier)");
        }

        // A Bundle's entries are decided one by one in BundleService, before anything is written.
        await next(http);
    }

    /// <summary>The caller, or null when the answer (401) has been sent.</summary>
    /// <remarks>A caller kept from an earlier request is given this request's base (the same instance, nearly always).</remarks>
    private async Task<AccessContext?> AuthenticateAsync(HttpContext http, ServiceBase serviceBase)
    {
        var settings = options.Value;
        if (settings.IsOpen)
        {
            return _developmentCaller = At(_developmentCaller ?? CallerTenant.Resolve(AccessContext.Development, settings, storage.Value.TenantId), serviceBase);
        }

        if (AcceptedBearerToken.TryFind(http, acceptedTokens, clock, out var known, out var entry))
        {
            http.User = known;
            // The settings and the default tenant are fixed for the process, so the resolved caller is the token's for
            // its lifetime; a refusal (403) throws and is never kept, so it is decided again on every request.
            return entry.Caller = At(entry.Caller ?? CallerTenant.Resolve(CallerContext.From(known, settings), settings, storage.Value.TenantId), serviceBase);
        }

        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (result.None)
        {
            await BearerResponses.MissingTokenAsync(http);
            return null;
        }

        if (!result.Succeeded)
        {
            await BearerResponses.InvalidTokenAsync(http, result.Failure);
            return null;
        }

        http.User = result.Principal;
        return At(CallerTenant.Resolve(CallerContext.From(result.Principal, settings), settings, storage.Value.TenantId), serviceBase);
    }

    /// <summary>
    /// The request's <see cref="FhirUrls.Base"/>, built again only when the parts it depends on differ from the last
    /// request's (with <c>Fhir:PublicBaseUrl</c> set, never): building and comparing the URL string cost every read.
    /// </summary>
    private ServiceBase BaseOf(HttpRequest request)
    {
        var (scheme, host, pathBase) = (request.Scheme, request.Host.Value, request.PathBase.Value);
        if (_lastBase is { } last && (last.Configured || (last.Scheme == scheme && last.Host == host && last.PathBase == pathBase)))
        {
            return last.Base;
        }

        var configured = !string.IsNullOrEmpty(server.Value.PublicBaseUrl);
        var serviceBase = ServiceBase.Of(FhirUrls.Base(request));
        _lastBase = new KnownBase(configured, scheme, host, pathBase, serviceBase);
        return serviceBase;
    }

    private sealed record KnownBase(bool Configured, string Scheme, string? Host, string? PathBase, ServiceBase Base);

    private static AccessContext At(AccessContext caller, ServiceBase serviceBase) =>
        ReferenceEquals(caller.ServiceBase, serviceBase) ? caller : caller with { ServiceBase = serviceBase };

    /// <summary>A conditional write's condition is a search: its chains may not reach types the caller may not search.</summary>
    private void AuthorizeCondition(HttpContext http, AccessContext caller, AccessRequest access)
    {
        var condition = access.Interaction switch
        {
            FhirInteraction.ConditionalCreate => http.Request.Headers["If-None-Exist"].ToString(),
            FhirInteraction.ConditionalUpdate or FhirInteraction.ConditionalDelete => http.Request.QueryString.Value ?? string.Empty,
            _ => null,
        };
        if (string.IsNullOrEmpty(condition))
        {
            return;
        }

        SearchQuery query;
        try
        {
            query = new SearchQueryParser(registry).Parse(access.ResourceTypes[0], QueryParameters.Parse(condition));
        }
        catch (FhirOperationException)
        {
            // A malformed condition is the endpoint's to refuse, with its own message.
            return;
        }

        policy.AuthorizeSearch(caller, query);
    }

    /// <summary>The catch-all route that answers unknown types (404) and interactions this server does not offer (405).</summary>
    private static bool IsFallback(HttpContext http) => http.GetEndpoint() is null or RouteEndpoint { Order: int.MaxValue };
}
