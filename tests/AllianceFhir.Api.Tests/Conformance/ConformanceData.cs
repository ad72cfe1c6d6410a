using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Conformance;

/// <summary>
/// Locates the external test material (official R4 examples and definitions), which is not part of the repository:
/// ALLIANCEFHIR_CONFORMANCE_DATA, else ../shared/testdata beside the folder that holds AllianceFhir.sln.
/// </summary>
internal static class ConformanceData
{
    public static string? Root { get; } = Locate();

    public static bool RunningInCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The folder, or null when it is absent on a developer machine (the test then passes with a message).
    /// In CI an absent folder is a failure: a conformance class that silently checks nothing is no check.
    /// </summary>
    public static string? RequireOrExplain(string relative, ITestOutputHelper output)
    {
        var path = Root is null ? null : Path.Combine(Root, relative);
        if (path is not null && Directory.Exists(path))
        {
            return path;
        }

        var message = $"Conformance data '{relative}' not found (set ALLIANCEFHIR_CONFORMANCE_DATA or place it at ../shared/testdata).";
        Assert.False(RunningInCi, message);
        output.WriteLine(message + " Skipping the check outside CI.");
        return null;
    }

    private static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable("ALLIANCEFHIR_CONFORMANCE_DATA");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AllianceFhir.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata"));
            }
        }

        return null;
    }
}
