namespace AllianceFhir.Cli;

/// <summary>What the process exit code tells a script (README, "Importing a clinic's existing data").</summary>
public static class ExitCodes
{
    /// <summary>Everything was imported, exported or found valid.</summary>
    public const int Success = 0;

    /// <summary>The server (or the offline check) refused some rows or lines; the report says which.</summary>
    public const int Refused = 1;

    /// <summary>Nothing to judge: bad command line, missing file, no connection, or the server failed the request.</summary>
    public const int Failed = 2;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
