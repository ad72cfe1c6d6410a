namespace AllianceFhir.Core.Import;

/// <summary>
/// The folder (setting <c>Import:Folder</c>, default <c>data/imports</c>) that holds, per job, the spooled uploads and the
/// NDJSON files of refused lines. A job's error file is cut back to the length its last checkpoint recorded when the job
/// resumes, so lines refused after that checkpoint, which the resumed job reads again, are reported once.
/// </summary>
public sealed class ImportFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string JobFolder(string jobId) => Path.Combine(Root, jobId);

    public string SpoolFile(string jobId, int input) => Path.Combine(JobFolder(jobId), $"upload-{input}.ndjson");

    public string ErrorFile(string jobId, int input) => Path.Combine(JobFolder(jobId), $"errors-{input}.ndjson");

    /// <summary>The error file of one input, opened for appending at <paramref name="length"/> (what was committed).</summary>
    public FileStream OpenErrors(string jobId, int input, long length)
    {
        Directory.CreateDirectory(JobFolder(jobId));
        var stream = new FileStream(ErrorFile(jobId, input), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        stream.SetLength(Math.Min(stream.Length, length));
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    /// <summary>
    /// Deletes a finished or cancelled job's spooled uploads: nothing reads them again, and they hold a clinic's
    /// answers. The error reports stay, since the job's result links to them.
    /// </summary>
    public void DeleteUploads(string jobId)
    {
        var folder = JobFolder(jobId);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var upload in Directory.EnumerateFiles(folder, "upload-*.ndjson"))
        {
            File.Delete(upload);
        }
    }
}
