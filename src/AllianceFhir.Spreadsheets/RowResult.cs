namespace AllianceFhir.Spreadsheets;

/// <summary>What happened to one row.</summary>
public enum RowStatus
{
    /// <summary>Stored now.</summary>
    Created,

    /// <summary>An earlier import already stored this administration; nothing was written.</summary>
    Exists,

    /// <summary>Dry run: the row would be imported.</summary>
    Valid,

    /// <summary>Not imported; <see cref="RowResult.Errors"/> says why.</summary>
    Refused,
}

/// <summary>One problem of a row: the column it is in (empty when it is the whole row) and what is wrong.</summary>
public sealed record RowError(string Column, string Message)
{
    /// <summary>The sentence a report gives for this problem in row <paramref name="row"/>.</summary>
    public string Describe(int row) =>
        Column.Length > 0 ? $"Row {row}, column '{Column}': {Message}" : $"Row {row}: {Message}";
}

public sealed record RowResult(int Row, RowStatus Status, string? Reference, IReadOnlyList<RowError> Errors);
