namespace AllianceFhir.Core.Export;

/// <summary>
/// The folder (setting <c>Export:Folder</c>, default <c>data/exports</c>) holding one sub-folder per job: an NDJSON
/// file per exported type and <c>errors.ndjson</c> for the job's OperationOutcomes.
/// </summary>
public sealed class ExportFolder(string root)
{
    public const string ErrorFileName = "errors.ndjson";

    /// <summary>Resources are written one small line at a time; a large buffer makes that a write call per megabyte.</summary>
    private const int BufferSize = 1 << 20;

    public string Root { get; } = Path.GetFullPath(root);

    public string JobFolder(string jobId) => Path.Combine(Root, jobId);

    public string TypeFile(string jobId, string resourceType) => Path.Combine(JobFolder(jobId), $"{resourceType}.ndjson");

    public string ErrorFile(string jobId) => Path.Combine(JobFolder(jobId), ErrorFileName);

    /// <summary>A type's file opened for appending at <paramref name="length"/>: what the last checkpoint recorded.</summary>
    public FileStream OpenType(string jobId, string resourceType, long length)
    {
        Directory.CreateDirectory(JobFolder(jobId));
        var stream = new FileStream(TypeFile(jobId, resourceType), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, BufferSize);
        stream.SetLength(Math.Min(stream.Length, length));
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    /// <summary>Deletes a job's files; a job id is a server-made hex string, never a path.</summary>
    public void Delete(string jobId)
    {
        var folder = JobFolder(jobId);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
