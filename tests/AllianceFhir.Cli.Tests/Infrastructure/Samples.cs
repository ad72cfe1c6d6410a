namespace AllianceFhir.Cli.Tests.Infrastructure;

/// <summary>The shipped sample sheets (samples/import), with their patients moved to a system of the test's own.</summary>
public static class Samples
{
    public const string SampleSystem = "http://clinic.example.org/mrn";

    public static readonly string Folder = Find();

    public static string UniqueSystem() => $"http://clinic.example.org/{Guid.NewGuid():N}";

    public static string Sheet(string name, string system) =>
        File.ReadAllText(System.IO.Path.Combine(Folder, name + ".csv")).Replace(SampleSystem, system, StringComparison.Ordinal);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "samples", "import");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/import not found above the test assembly");
    }
}
