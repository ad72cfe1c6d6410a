using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SQLitePCL;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// A prepared single-row INSERT into one search-index table. Reusing the prepared statement and its few parameters is
/// much cheaper in SQLite than a fresh multi-row statement per commit, whose hundreds of named parameters are looked
/// up one by one. The columns, their order and their value conversions come from the EF model.
/// </summary>
/// <remarks>
/// A table whose columns are all integers, reals and text is inserted through its own <c>sqlite3_stmt</c>, bound by
/// position: a create writes ~49 index rows, and <see cref="SqliteCommand.ExecuteNonQuery()"/> per row (a data reader,
/// every parameter looked up by name and bound through a type switch, the statement list walked) cost the single writer
/// about as much CPU as SQLite's own B-tree work on them. Tables with other column types (dates, whose text form is
/// Microsoft.Data.Sqlite's to decide) keep the command.
/// </remarks>
internal sealed class IndexTableInsert : IDisposable
{
    private static readonly HashSet<Type> DirectTypes = [typeof(long), typeof(int), typeof(double), typeof(string)];

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _command;
    private readonly sqlite3_stmt? _statement;
    private readonly Column[] _columns;
    private readonly int _surrogateColumn;
    private readonly int _paramKeyColumn;

    public IndexTableInsert(SqliteConnection connection, IEntityType entityType, int order)
    {
        Order = order;
        _connection = connection;
        var properties = entityType.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
        _command = connection.CreateCommand();
        _columns = new Column[properties.Count];
        var direct = true;
        for (var i = 0; i < properties.Count; i++)
        {
            var parameter = _command.Parameters.Add(new SqliteParameter { ParameterName = $"$p{i}" });
            var converter = properties[i].GetValueConverter() ?? properties[i].GetTypeMapping().Converter;
            _columns[i] = new Column(parameter, properties[i].GetGetter(), converter);
            var providerType = converter?.ProviderClrType ?? properties[i].ClrType;
            direct &= DirectTypes.Contains(Nullable.GetUnderlyingType(providerType) ?? providerType);
        }

        _surrogateColumn = properties.FindIndex(p => p.Name == nameof(SearchIndexEntity.ResourceSurrogate));
        _paramKeyColumn = properties.FindIndex(p => p.Name == nameof(SearchIndexEntity.ParamKey));

        _command.CommandText =
            $"INSERT INTO {SqliteNames.Table(entityType)} ({string.Join(", ", properties.Select(p => SqliteNames.Quote(p.GetColumnName())))}) " +
            $"VALUES ({string.Join(", ", _columns.Select(c => c.Parameter.ParameterName))})";
        if (direct)
        {
            var rc = raw.sqlite3_prepare_v2(connection.Handle, _command.CommandText, out var statement);
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
            _statement = statement;
        }
        else
        {
            _command.Prepare();
        }
    }

    /// <summary>This table's place in the order a group's rows are written in.</summary>
    public int Order { get; }

    /// <summary>Whether rows go through the table's own statement rather than a <see cref="SqliteCommand"/> (tests check which).</summary>
    internal bool BindsDirectly => _statement is not null;

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
        if (_statement is null)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                _columns[i].Parameter.Value = i == _surrogateColumn ? surrogate : values[i];
            }

            _command.ExecuteNonQuery();
            return;
        }

        try
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                Bind(i + 1, i == _surrogateColumn ? surrogate : values[i]);
            }

            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Binds as Microsoft.Data.Sqlite binds these types: integers as INTEGER, doubles as REAL (NaN refused), text as UTF-8.</summary>
    private void Bind(int position, object? value)
    {
        var rc = value switch
        {
            long l => raw.sqlite3_bind_int64(_statement, position, l),
            int n => raw.sqlite3_bind_int64(_statement, position, n),
            double d when double.IsNaN(d) => throw new InvalidOperationException("Cannot store 'NaN' values."),
            double d => raw.sqlite3_bind_double(_statement, position, d),
            string s => raw.sqlite3_bind_text(_statement, position, s),
            null or DBNull => raw.sqlite3_bind_null(_statement, position),
            _ => throw new InvalidOperationException($"An index column holds a {value.GetType().Name}, which this statement does not bind."),
        };
        SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
    }

    public void Dispose()
    {
        _statement?.Dispose();
        _command.Dispose();
    }

    private sealed record Column(SqliteParameter Parameter, IClrPropertyGetter Getter, ValueConverter? Converter);
}
