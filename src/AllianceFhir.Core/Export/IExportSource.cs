using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Export;

/// <summary>Which patients' compartments an export page is limited to.</summary>
public enum ExportCompartment
{
    /// <summary>No compartment: every resource of the type.</summary>
    None,

    /// <summary>Resources in the Patient compartment of any patient.</summary>
    AllPatients,

    /// <summary>Resources in the Patient compartment of the members of one Group.</summary>
    GroupMembers,
}

/// <summary>
/// One page of an export of one type: current, not deleted resources written after <paramref name="Since"/> and at or
/// before <paramref name="Until"/>, matching any of <paramref name="Alternatives"/> (each a list of AND-ed criteria:
/// a <c>_typeFilter</c> query with the caller's access restrictions), after store position <paramref name="After"/>.
/// </summary>
public sealed record ExportPage(
    string ResourceType,
    DateTimeOffset Until,
    DateTimeOffset? Since,
    IReadOnlyList<IReadOnlyList<SearchCriterion>> Alternatives,
    ExportCompartment Compartment,
    string? GroupId,
    long After,
    int Size);

/// <summary>
/// One exported resource: its store position (the resume cursor) and its JSON exactly as stored, UTF-8 encoded. The
/// bytes may be the source's buffer, valid only until the next row is read: an export copies them to its file and keeps
/// nothing (on SQLite the stored UTF-8 never becomes a .NET string on its way to the file).
/// </summary>
public readonly record struct ExportRow(long Position, ReadOnlyMemory<byte> Json);

/// <summary>
/// Reads an export's pages from the store, in store order, each page one short query (never a transaction spanning
/// the export) whose rows are streamed as the reader reaches them, so an export neither blocks writers nor holds even
/// a page in memory.
/// </summary>
public interface IExportSource
{
    IAsyncEnumerable<ExportRow> ReadPageAsync(string tenant, ExportPage page, CancellationToken cancellationToken);
}
