using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace AllianceFhir.Api.App;

/// <summary>
/// The frame every page shares, and HTML encoding. Pages are plain server-rendered HTML: no inline script, styles from
/// <c>/app/assets/app.css</c>, so the service's Content-Security-Policy (<c>script-src 'self'</c>) holds for them.
/// </summary>
public static class HtmlPage
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>Encodes text for an element body or a quoted attribute.</summary>
    public static string E(string? text) => Encoder.Encode(text ?? string.Empty);

    /// <param name="clinicianNav">The clinician pages' top bar; the patient form has none (its reader is a client).</param>
    /// <param name="scripts">Same-origin script URLs, loaded at the end of the body in this order.</param>
    /// <param name="styles">Further same-origin stylesheets.</param>
    public static IResult Render(
        string title,
        string body,
        int status = StatusCodes.Status200OK,
        bool clinicianNav = true,
        IReadOnlyList<string>? scripts = null,
        IReadOnlyList<string>? styles = null)
    {
        var html = new StringBuilder(4096);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">\n")
            .Append("<title>").Append(E(title)).Append(" · AllianceFhir</title>\n")
            .Append("<link rel=\"stylesheet\" href=\"/app/assets/app.css\">\n");
        foreach (var style in styles ?? [])
        {
            html.Append("<link rel=\"stylesheet\" href=\"").Append(E(style)).Append("\">\n");
        }

        html.Append("</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n");
        if (clinicianNav)
        {
            html.Append("<header class=\"top\"><nav aria-label=\"Main\"><a class=\"brand\" href=\"/app/flags\">AllianceFhir</a>")
                .Append("<a href=\"/app/flags\">Open flags</a></nav></header>\n");
        }

        html.Append("<main id=\"main\">\n").Append(body).Append("\n</main>\n");
        foreach (var script in scripts ?? [])
        {
            html.Append("<script src=\"").Append(E(script)).Append("\"></script>\n");
        }

        html.Append("</body>\n</html>\n");
        return Results.Content(html.ToString(), ContentType, Encoding.UTF8, status);
    }

    /// <summary>A page that says what went wrong in words a person can act on, with the status a machine can.</summary>
    public static IResult Message(int status, string title, string text, bool clinicianNav = true) =>
        Render(title, $"<section class=\"message\" role=\"alert\"><h1>{E(title)}</h1><p>{E(text)}</p></section>", status, clinicianNav);
}
