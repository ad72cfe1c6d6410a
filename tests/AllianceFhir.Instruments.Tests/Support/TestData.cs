namespace AllianceFhir.Instruments.Tests.Support;

/// <summary>
/// Locates the shared external test material: <c>ALLIANCEFHIR_CONFORMANCE_DATA</c>, else <c>../shared/testdata</c>
/// next to the repository root (the folder holding AllianceFhir.sln). The material is optional on a developer's
/// machine but required in CI (<c>CI=true</c>), where its absence must fail rather than pass quietly.
/// </summary>
public static class TestData
{
    public const string Variable = "ALLIANCEFHIR_CONFORMANCE_DATA";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AllianceFhir.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"No AllianceFhir.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string Folder =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured
            ? configured
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata"));

    /// <summary>
    /// The data folder (or a sub-folder of it), or null after writing why to the test output. In CI a missing folder
    /// fails the test instead.
    /// </summary>
    public static string? Require(Xunit.Abstractions.ITestOutputHelper output, string subfolder)
    {
        var path = Path.Combine(Folder, subfolder);
        if (Directory.Exists(path))
        {
            return path;
        }

        var message = $"External test data not found at {path} (set {Variable} or place the shared testdata folder at ../shared/testdata next to the repository).";
        if (InCi)
        {
            Assert.Fail(message + " CI=true, so this is a failure.");
        }

        output.WriteLine("NOT RUN: " + message + " Passing without checking anything because this is not CI.");
        return null;
    }
}
