using AllianceFhir.Testing;

namespace AllianceFhir.Api.Tests.App;

/// <summary>
/// The patient form serves NLM LHC-Forms from npm files that a clean clone does not have (CI installs them): tests
/// that open the form skip without them on a developer's machine, and fail in CI.
/// </summary>
internal static class LFormsAssets
{
    public static void SkipUnlessInstalled()
    {
        var script = Path.Combine(ConformanceData.RepositoryRoot, "src", "AllianceFhir.Api", "App", "Assets", "lforms", "node_modules", "lforms", "dist", "lforms", "webcomponent", "lhc-forms.js");
        if (!File.Exists(script))
        {
            ConformanceData.SkipOutsideCi("LHC-Forms is not installed: run 'npm ci --prefix src/AllianceFhir.Api/App/Assets/lforms --legacy-peer-deps'.");
        }
    }
}
