using System.CommandLine;

namespace AllianceFhir.Cli;

/// <summary>Options several commands share, so they read the same everywhere.</summary>
public static class CommonOptions
{
    public const string TokenVariable = "ALLIANCEFHIR_TOKEN";

    public static Option<Uri> Server() => new("--server", "-s")
    {
        Description = "The server's FHIR base URL, e.g. http://localhost:5000/fhir",
        Required = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return uri;
            }

            result.AddError($"--server must be an absolute http(s) URL, not '{text}'");
            return null;
        },
    };

    public static Option<string?> Token() => new("--token", "-t")
    {
        Description = $"A bearer token (default: the {TokenVariable} environment variable, which keeps it out of process lists)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token ? token : null,
    };
}
