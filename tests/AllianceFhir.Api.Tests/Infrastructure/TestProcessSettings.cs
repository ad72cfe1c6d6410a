using System.Runtime.CompilerServices;

namespace AllianceFhir.Api.Tests.Infrastructure;

internal static class TestProcessSettings
{
    /// <summary>
    /// Every app a test starts would watch its appsettings files for changes, and on Linux each watcher takes one of the
    /// user's inotify instances (128 by default, shared by every process of the user): with hundreds of test hosts, and
    /// another test run or build on the machine, starts failed with "the configured user limit (128) on the number of
    /// inotify instances has been reached". No test changes a settings file while its app runs.
    /// </summary>
    [ModuleInitializer]
    internal static void DoNotWatchSettingsFiles() =>
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
}
