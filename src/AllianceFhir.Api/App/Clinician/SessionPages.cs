using System.Globalization;
using AllianceFhir.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>
/// <c>/app/session</c>: turns an access token the clinician got from the clinic's authorization server into the page
/// cookie (<see cref="ClinicianAccess.CookieName"/>), so a plain browser can open the clinician pages. The token is
/// checked before the cookie is set, and the cookie ends when the token does. This server issues no tokens itself.
/// </summary>
public static class SessionPages
{
    public static void MapSessionPages(this RouteGroupBuilder app)
    {
        app.MapGet("/session", Form).WithName("app-session");
        app.MapPost("/session", SignInAsync).WithName("app-session-post").DisableAntiforgery();
        app.MapPost("/session/end", SignOut).WithName("app-session-end").DisableAntiforgery();
    }

    private static IResult Form(HttpContext http, IOptions<AuthOptions> auth, string? @return)
    {
        if (auth.Value.IsOpen)
        {
            return HtmlPage.Message(StatusCodes.Status200OK, "No sign-in needed",
                "This is an open development server (no authorization server is configured): every page is open. Never put real patient data on it.");
        }

        return FormPage(LocalReturn(@return), null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IOptions<AuthOptions> auth)
    {
        if (auth.Value.IsOpen)
        {
            return Results.Redirect("/app/flags", permanent: false, preserveMethod: false);
        }

        if (!SameOrigin(http.Request))
        {
            return HtmlPage.Message(StatusCodes.Status403Forbidden, "Sign-in refused", "Sign in from this server's own sign-in page.");
        }

        // The pasted token was read and checked by the JwtBearer handler before this endpoint ran (PageTokens).
        var form = await http.Request.ReadFormAsync();
        var back = LocalReturn(form["return"].ToString());
        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);

        // With an Authorization header the handler checked that token, not the pasted one: the cookie gets the checked one.
        var header = http.Request.Headers.Authorization.ToString();
        var validated = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : PageTokens.Pasted(form);
        if (!result.Succeeded || validated.Length == 0)
        {
            return FormPage(back, "That token was not accepted: it has expired, or was not issued for this server.", StatusCodes.Status401Unauthorized);
        }

        http.Response.Cookies.Append(ClinicianAccess.CookieName, validated, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/app",
            Expires = ExpiryOf(result),
        });
        return Results.Redirect(back);
    }

    private static IResult SignOut(HttpContext http)
    {
        http.Response.Cookies.Delete(ClinicianAccess.CookieName, new CookieOptions { Path = "/app" });
        return Results.Redirect("/app/session");
    }

    private static IResult FormPage(string back, string? error, int status)
    {
        var problem = error is null ? string.Empty : $"<p class=\"error\" role=\"alert\">{HtmlPage.E(error)}</p>";
        return HtmlPage.Render("Sign in", $"""
            <h1>Sign in</h1>
            <p>Paste an access token from your clinic's authorization server (the one this server trusts). It needs read
            scopes for the patients you want to see, e.g. <code>user/Patient.rs user/Observation.rs user/Flag.rs</code>.
            The token is kept in a cookie only this server's pages can read, and ends when the token does.</p>
            {problem}
            <form method="post" action="/app/session" class="signin">
              <input type="hidden" name="return" value="{HtmlPage.E(back)}">
              <label for="token">Access token</label>
              <textarea id="token" name="token" rows="5" required autocomplete="off" spellcheck="false"></textarea>
              <button type="submit">Sign in</button>
            </form>
            """, status);
    }

    /// <summary>Only this server's own pages: anything else would make the sign-in page an open redirect.</summary>
    private static string LocalReturn(string? back) =>
        back is { Length: > 0 } && back.StartsWith("/app/", StringComparison.Ordinal) && !back.StartsWith("/app//", StringComparison.Ordinal) && !back.Contains('\\')
            ? back
            : "/app/flags";

    /// <summary>A sign-in posted from another site would sign the clinician in as someone else (login CSRF).</summary>
    private static bool SameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    private static DateTimeOffset? ExpiryOf(AuthenticateResult result) =>
        result.Principal?.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : result.Properties?.ExpiresUtc;
}
