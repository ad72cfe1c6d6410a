namespace AllianceFhir.Cli.Http;

/// <summary>The server could not be reached or failed a request: the command stops with <see cref="ExitCodes.Failed"/>.</summary>
public sealed class ServerException(string message, Exception? inner = null) : Exception(message, inner);
