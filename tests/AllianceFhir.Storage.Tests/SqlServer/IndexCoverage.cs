using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AllianceFhir.Storage.Tests.SqlServer;

/// <summary>
/// Judges a table access against the indexes the EF model declares for that table (indexes, primary and alternate
/// keys), whatever they are called, so the check follows any redesign of the schema.
/// </summary>
/// <remarks>
/// An access is served when some usable index starts with columns the access fixes (a seek), and that seek is either
/// narrow (the fixed leading columns include a whole key, unique index or foreign key: one row, or one parent's
/// handful) or leaves no fixed column behind that the schema indexes anywhere (every column the schema could seek on
/// is in the seek). A filtered index is usable only when the access fixes the columns of its filter. Columns equated
/// with another table of the same FROM count when that table is read first, so both orders are tried.
/// </remarks>
public sealed partial class IndexCoverage(IModel model)
{
    public sealed record Verdict(bool Served, string Explanation);

    public Verdict Judge(TableAccess access)
    {
        var entity = model.GetEntityTypes().FirstOrDefault(e => string.Equals(e.GetTableName(), access.Table, StringComparison.OrdinalIgnoreCase));
        if (entity is null)
        {
            return new Verdict(false, $"table {access.Table} is not in the model");
        }

        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Col(IProperty p) => p.GetColumnName(table)!;

        var candidates = entity.GetIndexes()
            .Select(i => (Name: i.GetDatabaseName(table) ?? i.Name ?? "?", Columns: i.Properties.Select(Col).ToList(), i.IsUnique, Filter: i.GetFilter()))
            .Concat(entity.GetKeys().Select(k => (Name: k.GetName(table) ?? "key", Columns: k.Properties.Select(Col).ToList(), IsUnique: true, Filter: (string?)null)))
            .ToList();
        var narrowSets = candidates.Where(c => c.IsUnique && c.Filter is null).Select(c => c.Columns)
            .Concat(entity.GetForeignKeys().Select(f => f.Properties.Select(Col).ToList()))
            .ToList();

        Verdict? best = null;
        var bestLength = 0;
        foreach (var fixedColumns in new[] { access.Equalities, access.Equalities.Union(access.JoinEqualities).ToHashSet(StringComparer.OrdinalIgnoreCase) })
        {
            var usable = candidates.Where(c => c.Filter is null || FilterColumns(c.Filter).All(fixedColumns.Contains)).ToList();
            var seekable = usable.SelectMany(c => c.Columns).Where(fixedColumns.Contains).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var index in usable)
            {
                var prefix = index.Columns.TakeWhile(fixedColumns.Contains).ToList();
                if (prefix.Count == 0)
                {
                    continue;
                }

                var narrow = narrowSets.Any(set => set.All(prefix.Contains));
                var complete = seekable.All(prefix.Contains);
                if (narrow || complete)
                {
                    return new Verdict(true, $"{index.Name} seeks on ({string.Join(", ", prefix)})");
                }

                if (prefix.Count > bestLength)
                {
                    bestLength = prefix.Count;
                    best = new Verdict(false, $"best seek is {index.Name} on ({string.Join(", ", prefix)}), leaving indexed {string.Join(", ", seekable.Except(prefix))} to a scan of that range");
                }
            }
        }

        return best ?? new Verdict(false,
            $"no index of {access.Table} starts with a column this query fixes (fixed: {Describe(access.Equalities)}; joined: {Describe(access.JoinEqualities)}; ranges: {Describe(access.Ranges)})");
    }

    private static string Describe(IReadOnlySet<string> columns) => columns.Count == 0 ? "none" : string.Join(", ", columns.Order(StringComparer.Ordinal));

    private static IEnumerable<string> FilterColumns(string filter) => BracketedName().Matches(filter).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"\[(\w+)\]")]
    private static partial Regex BracketedName();
}
