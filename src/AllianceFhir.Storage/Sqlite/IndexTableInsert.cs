using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// A prepared single-row INSERT into one search-index table. Reusing the prepared statement and its few parameters is
/// much cheaper in SQLite than a fresh multi-row statement per commit, whose hundreds of named parameters are looked
/// up one by one. The columns, their order and their value conversions come from the EF model.
/// </summary>
/// <remarks>
/// Rows are inserted through the table's own <c>sqlite3_stmt</c>, bound by position (<see cref="RawStatement"/>): a
/// create writes ~49 index rows, and <see cref="SqliteCommand.ExecuteNonQuery()"/> per row (a data reader, every
/// parameter looked up by name and bound through a type switch, the statement list walked) cost the single writer about
/// as much CPU as SQLite's own B-tree work on them. Every index column is an integer, a real, text or a date; dates are
/// bound as the driver's own text for them (<see cref="SqliteDateTimeText"/>), so EF's rows and these are the same bytes.
/// </remarks>
internal sealed class IndexTableInsert : IDisposable
{
    private static readonly HashSet<Type> BindableTypes = [typeof(long), typeof(int), typeof(double), typeof(string), typeof(DateTime)];

    private readonly RawStatement _statement;
    private readonly Column[] _columns;
    private readonly int _surrogateColumn;
    private readonly int _paramKeyColumn;

    public IndexTableInsert(SqliteConnection connection, IEntityType entityType, int order)
    {
        Order = order;
        var properties = entityType.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
        _columns = new Column[properties.Count];
        for (var i = 0; i < properties.Count; i++)
        {
            var converter = properties[i].GetValueConverter() ?? properties[i].GetTypeMapping().Converter;
            var providerType = converter?.ProviderClrType ?? properties[i].ClrType;
            if (!BindableTypes.Contains(Nullable.GetUnderlyingType(providerType) ?? providerType))
            {
                throw new InvalidOperationException($"{entityType.ClrType.Name}.{properties[i].Name} is stored as {providerType.Name}, which index rows do not bind.");
            }

            _columns[i] = new Column(properties[i].GetGetter(), converter);
        }

        _surrogateColumn = properties.FindIndex(p => p.Name == nameof(SearchIndexEntity.ResourceSurrogate));
        _paramKeyColumn = properties.FindIndex(p => p.Name == nameof(SearchIndexEntity.ParamKey));
        _statement = new RawStatement(
            connection,
            $"INSERT INTO {SqliteNames.Table(entityType)} ({string.Join(", ", properties.Select(p => SqliteNames.Quote(p.GetColumnName())))}) " +
            $"VALUES ({string.Join(", ", properties.Select((_, i) => $"?{i + 1}"))})");
    }

    /// <summary>This table's place in the order a group's rows are written in.</summary>
    public int Order { get; }

    /// <summary>The parameter key among a row's <see cref="Values"/>: what the table's lookup indexes lead with.</summary>
    public long ParamKey(object?[] values) => (long)values[_paramKeyColumn]!;

    /// <summary>
    /// The row's column values, converted for the database. Runs on the requesting thread, so the writer thread only
    /// binds and steps.
    /// </summary>
    public object?[] Values(SearchIndexEntity row)
    {
        var values = new object?[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            var value = _columns[i].Getter.GetClrValueUsingContainingEntity(row);
            values[i] = _columns[i].Converter is null || value is null ? value : _columns[i].Converter!.ConvertToProvider(value);
        }

        return values;
    }

    /// <summary>Inserts a row prepared by <see cref="Values"/>, pointing it at the version row just written.</summary>
    public void Insert(object?[] values, long surrogate)
    {
        try
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                if (i == _surrogateColumn)
                {
                    _statement.Bind(i + 1, surrogate);
                    continue;
                }

                // As Microsoft.Data.Sqlite binds these types: integers as INTEGER, doubles as REAL, text as UTF-8, dates as its text.
                switch (values[i])
                {
                    case long l: _statement.Bind(i + 1, l); break;
                    case int n: _statement.Bind(i + 1, (long)n); break;
                    case double d: _statement.Bind(i + 1, d); break;
                    case string s: _statement.Bind(i + 1, s); break;
                    case DateTime t: _statement.Bind(i + 1, t); break;
                    case null: _statement.BindNull(i + 1); break;
                    default: throw new InvalidOperationException($"An index column holds a {values[i]!.GetType().Name}, which this statement does not bind.");
                }
            }

            _statement.Execute();
        }
        finally
        {
            _statement.Reset();
        }
    }

    public void Dispose() => _statement.Dispose();

    private sealed record Column(IClrPropertyGetter Getter, ValueConverter? Converter);
}
