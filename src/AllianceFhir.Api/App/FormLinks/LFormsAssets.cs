using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.App.FormLinks;

/// <summary>
/// NLM LHC-Forms' prebuilt files, installed by npm (<c>npm ci --prefix src/AllianceFhir.Api/App/Assets/lforms
/// --legacy-peer-deps</c>) and served under <see cref="UrlPath"/>. When they are absent (a fresh clone that skipped npm)
/// the server still starts and the patient form says so plainly.
/// </summary>
public sealed class LFormsAssets
{
    public const string UrlPath = "/app/lforms";

    /// <summary>The files the form page loads, in order (at the end of the body, as LHC-Forms asks).</summary>
    public static readonly IReadOnlyList<string> Scripts =
    [
        "webcomponent/assets/lib/zone.min.js",
        "webcomponent/lhc-forms.js",
        "fhir/R4/lformsFHIR.min.js",
    ];

    public const string Stylesheet = "webcomponent/styles.css";

    public LFormsAssets(IOptions<AppOptions> options, IHostEnvironment environment)
    {
        Folder = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.LFormsFolder));
        IsInstalled = Scripts.Append(Stylesheet).All(f => File.Exists(Path.Combine(Folder, f)));
    }

    public string Folder { get; }

    public bool IsInstalled { get; }

    public IFileProvider? FileProvider => IsInstalled ? new PhysicalFileProvider(Folder) : null;
}
