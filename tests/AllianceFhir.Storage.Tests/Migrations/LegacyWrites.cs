#nullable enable
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Tests.Migrations;

/// <summary>
/// Writes versions the way the store did before issue 11 (index rows without <see cref="SearchIndexEntity.ParamKey"/>),
/// for tests that build a database at an older migration: today's committers write today's columns, which an older
/// schema does not have.
/// </summary>
internal static class LegacyWrites
{
    public static async Task CommitAsync(FhirDbContext db, string tenant, IReadOnlyList<ResourceWrite> writes)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        foreach (var write in writes)
        {
            if (write.VersionId > 1)
            {
                var retired = (long)(await ScalarAsync(
                    connection,
                    transaction,
                    "UPDATE Resources SET IsHistory = 1 WHERE TenantId = $1 AND ResourceType = $2 AND ResourceId = $3 AND IsHistory = 0 RETURNING Surrogate",
                    tenant,
                    write.ResourceType,
                    write.Id))!;
                foreach (var table in IndexTables(db))
                {
                    await ScalarAsync(connection, transaction, $"DELETE FROM {table.GetTableName()} WHERE ResourceSurrogate = $1", retired);
                }
            }

            var surrogate = (long)(await ScalarAsync(
                connection,
                transaction,
                "INSERT INTO Resources (TenantId, ResourceType, ResourceId, VersionId, IsHistory, IsDeleted, LastUpdated, Method, Json) " +
                "VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8) RETURNING Surrogate",
                tenant,
                write.ResourceType,
                write.Id,
                write.VersionId,
                write.IsDeleted,
                write.LastUpdated.UtcDateTime,
                write.Method,
                write.Json))!;
            foreach (var row in IndexRowMapper.ToRows(tenant, write.ResourceType, write.Index))
            {
                var entityType = db.Model.FindEntityType(row.GetType())!;
                var columns = entityType.GetProperties()
                    .Where(p => p.Name is not nameof(SearchIndexEntity.Id) and not nameof(SearchIndexEntity.ParamKey))
                    .ToList();
                var values = columns.Select(p => p.Name == nameof(SearchIndexEntity.ResourceSurrogate) ? surrogate : p.GetGetter().GetClrValueUsingContainingEntity(row)).ToArray();
                await ScalarAsync(
                    connection,
                    transaction,
                    $"INSERT INTO {entityType.GetTableName()} ({string.Join(", ", columns.Select(c => $"\"{c.GetColumnName()}\""))}) " +
                    $"VALUES ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))})",
                    values);
            }
        }

        await transaction.CommitAsync();
        await db.Database.CloseConnectionAsync();
    }

    private static IEnumerable<Microsoft.EntityFrameworkCore.Metadata.IEntityType> IndexTables(FhirDbContext db) =>
        db.Model.GetEntityTypes().Where(e => e.ClrType.IsSubclassOf(typeof(SearchIndexEntity)));

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, params object?[] values)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue($"${i + 1}", values[i] ?? DBNull.Value);
        }

        return await command.ExecuteScalarAsync();
    }
}
