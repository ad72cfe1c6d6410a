using AllianceFhir.Api.Security;
using AllianceFhir.Core.Security;
using AllianceFhir.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>
/// Who is looking at a clinician page. With an authorization server configured the page needs the same bearer token
/// the FHIR API takes, from the <c>Authorization</c> header (a proxy or an EHR frame can add it) or from the
/// <see cref="CookieName"/> cookie that <c>/app/session</c> sets from a token (HttpOnly, SameSite=Strict, path /app,
/// lasting as long as the token). The token's scopes decide what the page shows exactly as they decide FHIR reads and
/// searches; the open Development server shows everything to its one development user.
/// </summary>
public static class ClinicianAccess
{
    public const string CookieName = "alliancefhir_app_token";

    public sealed record Result(AccessContext? Caller, IResult? Refusal);

    public static async Task<Result> AuthenticateAsync(HttpContext http)
    {
        var auth = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
        var tenant = http.RequestServices.GetRequiredService<IOptions<StorageOptions>>().Value.TenantId;
        if (auth.IsOpen)
        {
            return Accept(http, CallerTenant.Resolve(AccessContext.Development, auth, tenant));
        }

        // The token comes from the Authorization header or, failing that, the page cookie (PageTokens).
        var fromCookie = !http.Request.Headers.ContainsKey("Authorization") && http.Request.Cookies.ContainsKey(CookieName);
        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (result.None)
        {
            return new Result(null, SignInNeeded(http, "This page shows clinical data and needs you to sign in first."));
        }

        if (!result.Succeeded)
        {
            if (fromCookie)
            {
                http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/app" });
            }

            return new Result(null, SignInNeeded(http, "Your sign-in was not accepted: it has expired or was not issued for this server. Sign in again."));
        }

        http.User = result.Principal;
        return Accept(http, CallerTenant.Resolve(CallerContext.From(result.Principal, auth), auth, tenant));
    }

    private static Result Accept(HttpContext http, AccessContext caller)
    {
        // The request's store is bound to this caller's clinic, as under /fhir.
        http.SetAccessContext(caller);
        return new Result(caller, null);
    }

    private static IResult SignInNeeded(HttpContext http, string text)
    {
        var back = Uri.EscapeDataString(http.Request.Path + http.Request.QueryString);
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"alliancefhir\"";
        return HtmlPage.Render(
            "Sign in",
            $"<section class=\"message\" role=\"alert\"><h1>Sign in</h1><p>{HtmlPage.E(text)}</p>"
            + $"<p><a class=\"button\" href=\"/app/session?return={HtmlPage.E(back)}\">Sign in with an access token</a></p></section>",
            StatusCodes.Status401Unauthorized);
    }
}
