using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>
/// Where the JwtBearer handler finds a page's token when the request has no <c>Authorization</c> header: the page
/// cookie on <c>/app</c>, or the token pasted into the sign-in form. ASP.NET Core authenticates every request once,
/// before the endpoint runs, and keeps that result for the request, so the token must be found here, at that moment,
/// not by the page afterwards.
/// </summary>
public static class PageTokens
{
    public const string SessionPath = "/app/session";

    public static async Task OnMessageReceivedAsync(MessageReceivedContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(AppPages.BasePath) || request.Headers.Authorization.Count > 0)
        {
            return;
        }

        if (request.Path.Equals(SessionPath) && HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            context.Token = Pasted(await request.ReadFormAsync(context.HttpContext.RequestAborted));
        }
        else if (request.Cookies[ClinicianAccess.CookieName] is { Length: > 0 } cookie)
        {
            context.Token = cookie;
        }

        if (string.IsNullOrEmpty(context.Token))
        {
            context.NoResult();
        }
    }

    /// <summary>The token pasted into the sign-in form, with a copied "Bearer " prefix dropped.</summary>
    public static string Pasted(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var pasted = form["token"].ToString().Trim();
        return pasted.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? pasted[7..].Trim() : pasted;
    }
}
