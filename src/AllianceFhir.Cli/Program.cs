namespace AllianceFhir.Cli;

// Not top-level statements: those would declare a global Program, which the tests already see from the Api.
internal static class Program
{
    private static Task<int> Main(string[] args) => CliApp.RunAsync(args, CliHost.ForConsole());
}
