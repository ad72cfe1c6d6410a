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

    public IndexTableInsert(SqliteConnection connection, IEntityType entityType)
    {
        var properties = entityType.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
        _command = connection.CreateCommand();
        _columns = new Column[properties.Count];
        for (var i = 0; i < properties.Count; i++)
        {
            var parameter = _command.Parameters.Add(new SqliteParameter { ParameterName = $"$p{i}" });
            var converter = properties[i].GetValueConverter() ?? properties[i].GetTypeMapping().Converter;
            _columns[i] = new Column(parameter, properties[i].GetGetter(), converter);
        }

        _command.CommandText =
            $"INSERT INTO {SqliteNames.Table(entityType)} ({string.Join(", ", properties.Select(p => SqliteNames.Quote(p.GetColumnName())))}) " +
            $"VALUES ({string.Join(", ", _columns.Select(c => c.Parameter.ParameterName))})";
        _command.Prepare();
    }

    public void Insert(SearchIndexEntity row)
    {
        foreach (var column in _columns)
        {
            var value = column.Getter.GetClrValueUsingContainingEntity(row);
            column.Parameter.Value = (column.Converter is null || value is null ? value : column.Converter.ConvertToProvider(value)) ?? DBNull.Value;
        }

        _command.ExecuteNonQuery();
    }

    public void Dispose() => _command.Dispose();

    private sealed record Column(SqliteParameter Parameter, IClrPropertyGetter Getter, ValueConverter? Converter);
}
