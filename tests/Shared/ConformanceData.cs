namespace AllianceFhir.Testing;

/// <summary>
/// Locates the external test material (official R4 and SDC examples, validator cases, forms), which is not part of
/// the repository: ALLIANCEFHIR_CONFORMANCE_DATA, else ../shared/testdata beside the folder that holds AllianceFhir.sln.
/// </summary>
internal static class ConformanceData
{
    public const string Variable = "ALLIANCEFHIR_CONFORMANCE_DATA";

    public static string? Root { get; } = Locate();

    public static bool RunningInCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string RepositoryRoot { get; } = FindRepositoryRoot()
        ?? throw new InvalidOperationException($"No AllianceFhir.sln above {AppContext.BaseDirectory}");

    /// <summary>
    /// The folder. When it is absent the test is reported as skipped on a developer machine (the runner counts it), and
    /// fails in CI: a conformance test that checks nothing must never look like a pass.
    /// </summary>
    public static string Require(string relative)
    {
        var path = Root is null ? null : Path.Combine(Root, relative);
        if (path is not null && Directory.Exists(path))
        {
            return path;
        }

        SkipOutsideCi($"Conformance data '{relative}' not found (set {Variable} or place it at ../shared/testdata).");
        return path!;
    }

    /// <summary>Skips the running test (needs [SkippableFact]/[SkippableTheory]); under CI=true fails it instead.</summary>
    public static void SkipOutsideCi(string why)
    {
        Assert.False(RunningInCi, why + " CI=true, so this is a failure, not a skip.");
        throw new SkipException(why);
    }

    private static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        return FindRepositoryRoot() is { } root ? Path.GetFullPath(Path.Combine(root, "..", "shared", "testdata")) : null;
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AllianceFhir.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
