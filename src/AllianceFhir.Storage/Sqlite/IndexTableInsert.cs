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
internal sealed class IndexTableInsert : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly Column[] _columns;
    private readonly int _surrogateColumn;
    private readonly int _paramKeyColumn;

    public IndexTableInsert(SqliteConnection connection, IEntityType entityType, int order)
    {
        Order = order;
        var properties = entityType.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
        _command = connection.CreateCommand();
        _columns = new Column[properties.Count];
        for (var i = 0; i < properties.Count; i++)
        {
            var parameter = _command.Parameters.Add(new SqliteParameter { ParameterName = $"$p{i}" });
            var converter = properties[i].GetValueConverter() ?? properties[i].GetTypeMapping().Converter;
            _columns[i] = new Column(parameter, properties[i].GetGetter(), converter);
        }

        _surrogateColumn = properties.FindIndex(p => p.Name == nameof(SearchIndexEntity.ResourceSurrogate));
        _paramKeyColumn = properties.FindIndex(p => p.Name == nameof(SearchIndexEntity.ParamKey));

        _command.CommandText =
            $"INSERT INTO {SqliteNames.Table(entityType)} ({string.Join(", ", properties.Select(p => SqliteNames.Quote(p.GetColumnName())))}) " +
            $"VALUES ({string.Join(", ", _columns.Select(c => c.Parameter.ParameterName))})";
        _command.Prepare();
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
            values[i] = (_columns[i].Converter is null || value is null ? value : _columns[i].Converter!.ConvertToProvider(value)) ?? DBNull.Value;
        }

        return values;
    }

    /// <summary>Inserts a row prepared by <see cref="Values"/>, pointing it at the version row just written.</summary>
    public void Insert(object?[] values, long surrogate)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i].Parameter.Value = i == _surrogateColumn ? surrogate : values[i];
        }

        _command.ExecuteNonQuery();
    }

    public void Dispose() => _command.Dispose();

    private sealed record Column(SqliteParameter Parameter, IClrPropertyGetter Getter, ValueConverter? Converter);
}
