namespace AllianceFhir.Instruments.Catalog;

/// <summary>A text pack that cannot be applied; start-up fails with the file (and item, when known) named.</summary>
public sealed class TextPackException : Exception
{
    public TextPackException(string file, string? linkId, string problem, Exception? inner = null)
        : base(linkId is null ? $"Text pack '{file}': {problem}" : $"Text pack '{file}', item '{linkId}': {problem}", inner)
    {
        File = file;
        LinkId = linkId;
    }

    public TextPackException()
    {
        File = string.Empty;
    }

    public TextPackException(string message)
        : base(message)
    {
        File = string.Empty;
    }

    public TextPackException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
    }

    public string File { get; }

    public string? LinkId { get; }
}
