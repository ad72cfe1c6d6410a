namespace AllianceFhir.Core.Import;

/// <summary>Opens an import input (a URL the server fetches, or a spooled upload) for reading from a byte offset on.</summary>
public interface IImportSourceOpener
{
    /// <exception cref="ImportSourceException">The input cannot be read (unreachable URL, an HTTP error, a missing spool file).</exception>
    Task<Stream> OpenAsync(ImportInput input, long byteOffset, CancellationToken cancellationToken);
}

/// <summary>An input that cannot be read at all; the message is shown to the requester, so it names no data.</summary>
public sealed class ImportSourceException(string message, Exception? inner = null) : Exception(message, inner);
