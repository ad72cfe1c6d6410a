namespace AllianceFhir.Api.App;

/// <summary>Settings of the pages for people (the <c>App</c> section).</summary>
public sealed class AppOptions
{
    public const string SectionName = "App";

    /// <summary>Where npm installed LHC-Forms' prebuilt files (relative to the content root, or absolute).</summary>
    public string LFormsFolder { get; set; } = "App/Assets/lforms/node_modules/lforms/dist/lforms";

    /// <summary>How long a form link stays open when <c>$create-link</c> names no expiry.</summary>
    public int FormLinkDefaultDays { get; set; } = 7;

    /// <summary>The latest expiry <c>$create-link</c> accepts, counted from now.</summary>
    public int FormLinkMaxDays { get; set; } = 30;
}
