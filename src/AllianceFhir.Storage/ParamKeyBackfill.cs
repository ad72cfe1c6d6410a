using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// The migration that introduced <see cref="SearchIndexEntity.ParamKey"/> could not compute it (XxHash64 exists in
/// neither SQLite's nor SQL Server's SQL), so it left existing index rows at 0 and created this step's work table as a
/// marker. Here each distinct (tenant, type, parameter) of those rows gets its key from C#, one UPDATE per table sets
/// every row's key from the work table, and dropping the table marks the step done, in one transaction: an upgrade
/// interrupted halfway runs it again at the next start.
/// </summary>
internal static class ParamKeyBackfill
{
    public const string Table = "ParamKeyBackfill";

    public static string CreateTableSql(bool sqlServer) => sqlServer
        ? $"CREATE TABLE {Table} (TenantId nvarchar(64) NOT NULL, ResourceType nvarchar(64) NOT NULL, ParamName nvarchar(100) NOT NULL, ParamKey bigint NOT NULL, PRIMARY KEY (TenantId, ResourceType, ParamName));"
        : $"CREATE TABLE {Table} (TenantId TEXT NOT NULL, ResourceType TEXT NOT NULL, ParamName TEXT NOT NULL, ParamKey INTEGER NOT NULL, PRIMARY KEY (TenantId, ResourceType, ParamName));";

    public const string DropTableSql = $"DROP TABLE IF EXISTS {Table};";

    public static async Task RunAsync(FhirDbContext db, CancellationToken cancellationToken)
    {
        var exists = db.Database.IsSqlServer()
            ? $"SELECT COUNT(*) AS Value FROM sys.tables WHERE name = '{Table}'"
            : $"SELECT COUNT(*) AS Value FROM sqlite_master WHERE type = 'table' AND name = '{Table}'";
        if (await db.Database.SqlQueryRaw<int>(exists).SingleAsync(cancellationToken) == 0)
        {
            return;
        }

        // SQL Server's retrying strategy accepts a transaction only as a unit it can run again; the step is idempotent.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await FillAsync<TokenIndexEntity>(db, cancellationToken);
            await FillAsync<StringIndexEntity>(db, cancellationToken);
            await FillAsync<DateIndexEntity>(db, cancellationToken);
            await FillAsync<ReferenceIndexEntity>(db, cancellationToken);
            await FillAsync<UriIndexEntity>(db, cancellationToken);
            await FillAsync<NumberIndexEntity>(db, cancellationToken);
            await FillAsync<QuantityIndexEntity>(db, cancellationToken);
            await db.Database.ExecuteSqlRawAsync($"DROP TABLE {Table};", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }

    private static async Task FillAsync<T>(FhirDbContext db, CancellationToken cancellationToken)
        where T : SearchIndexEntity
    {
        var triples = await db.Set<T>().Where(x => x.ParamKey == 0)
            .Select(x => new { x.TenantId, x.ResourceType, x.ParamName }).Distinct().ToListAsync(cancellationToken);
        if (triples.Count == 0)
        {
            return;
        }

        foreach (var t in triples)
        {
            var key = ParamKeys.Of(t.TenantId, t.ResourceType, t.ParamName);
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO ParamKeyBackfill (TenantId, ResourceType, ParamName, ParamKey) SELECT {t.TenantId}, {t.ResourceType}, {t.ParamName}, {key} WHERE NOT EXISTS (SELECT 1 FROM ParamKeyBackfill WHERE TenantId = {t.TenantId} AND ResourceType = {t.ResourceType} AND ParamName = {t.ParamName})",
                cancellationToken);
        }

        // One pass over the table, each row's key found by the work table's primary key.
        var table = db.Model.FindEntityType(typeof(T))!.GetTableName();
        var update = $"UPDATE {table} SET ParamKey = (SELECT b.ParamKey FROM {Table} b WHERE b.TenantId = {table}.TenantId " +
            $"AND b.ResourceType = {table}.ResourceType AND b.ParamName = {table}.ParamName) WHERE ParamKey = 0";
        await db.Database.ExecuteSqlRawAsync(update, cancellationToken);
    }
}
