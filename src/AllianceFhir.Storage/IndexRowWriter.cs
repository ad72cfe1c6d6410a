using System.Data.Common;
using System.Text;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AllianceFhir.Storage;

/// <summary>
/// Inserts search-index rows as one multi-row INSERT per table. A resource version has dozens of index rows (a scored
/// QuestionnaireResponse with its Observations, well over a hundred); through the change tracker each would be a command
/// of its own, which made writes several times slower than the database itself. Table, column and parameter shapes
/// come from the EF model and its type mappings, so the SQL is right for every provider and follows schema changes.
/// Used by <see cref="EfVersionCommitter"/> (SQL Server); SQLite writes go through the group committer's prepared
/// single-row statements instead.
/// </summary>
internal static class IndexRowWriter
{
    /// <summary>SQL Server allows 2,100 parameters per command; stay well below for every provider.</summary>
    private const int MaxParametersPerCommand = 2000;

    public static async Task InsertAsync(FhirDbContext db, IReadOnlyList<SearchIndexEntity> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var sql = db.GetService<ISqlGenerationHelper>();
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var group in rows.GroupBy(r => r.GetType()))
        {
            var entityType = db.Model.FindEntityType(group.Key)
                ?? throw new InvalidOperationException($"{group.Key.Name} is not part of the model");
            var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
            var columns = entityType.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
            var perCommand = Math.Max(1, MaxParametersPerCommand / columns.Count);
            foreach (var chunk in group.Chunk(perCommand))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = BuildInsert(sql, table, columns, chunk, command);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private static string BuildInsert(
        ISqlGenerationHelper sql,
        StoreObjectIdentifier table,
        List<IProperty> columns,
        SearchIndexEntity[] rows,
        DbCommand command)
    {
        var text = new StringBuilder("INSERT INTO ")
            .Append(sql.DelimitIdentifier(table.Name, table.Schema))
            .Append(" (")
            .AppendJoin(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName(table)!)))
            .Append(") VALUES ");
        var index = 0;
        for (var r = 0; r < rows.Length; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Count; c++)
            {
                var name = $"p{index++}";
                var mapping = (RelationalTypeMapping)columns[c].GetRelationalTypeMapping();
                command.Parameters.Add(mapping.CreateParameter(command, name, columns[c].GetGetter().GetClrValueUsingContainingEntity(rows[r]), columns[c].IsNullable));
                text.Append(c == 0 ? string.Empty : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
            }

            text.Append(')');
        }

        return text.ToString();
    }
}
