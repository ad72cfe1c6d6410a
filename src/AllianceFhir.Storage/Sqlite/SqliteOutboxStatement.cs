using AllianceFhir.Core.Subscriptions;
using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>The outbox insert, on the group committer's write connection, inside the savepoint of the commit it belongs to.</summary>
internal sealed class SqliteOutboxStatement : IDisposable
{
    private static readonly string[] Columns =
    [
        nameof(SubscriptionOutboxEntity.TenantId), nameof(SubscriptionOutboxEntity.SubscriptionId), nameof(SubscriptionOutboxEntity.Kind),
        nameof(SubscriptionOutboxEntity.ResourceType), nameof(SubscriptionOutboxEntity.ResourceId), nameof(SubscriptionOutboxEntity.VersionId),
        nameof(SubscriptionOutboxEntity.Context), nameof(SubscriptionOutboxEntity.CreatedAt), nameof(SubscriptionOutboxEntity.Attempts),
    ];

    private readonly SqliteCommand _insert;

    public SqliteOutboxStatement(SqliteConnection connection, IModel model)
    {
        var outbox = model.FindEntityType(typeof(SubscriptionOutboxEntity))!;
        _insert = connection.CreateCommand();
        _insert.CommandText =
            $"INSERT INTO {SqliteNames.Table(outbox)} ({string.Join(", ", Columns.Select(c => SqliteNames.Column(outbox, c)))}) " +
            $"VALUES ({string.Join(", ", Columns.Select(c => "$" + c))})";
        foreach (var column in Columns)
        {
            _insert.Parameters.Add(new SqliteParameter { ParameterName = "$" + column });
        }

        _insert.Prepare();
    }

    public void Insert(IReadOnlyList<OutboxEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var now = DateTime.UtcNow;
        foreach (var entry in entries)
        {
            var p = _insert.Parameters;
            p[0].Value = entry.Tenant;
            p[1].Value = entry.SubscriptionId;
            p[2].Value = entry.Kind.ToString();
            p[3].Value = (object?)entry.ResourceType ?? DBNull.Value;
            p[4].Value = (object?)entry.ResourceId ?? DBNull.Value;
            p[5].Value = entry.VersionId;
            p[6].Value = (object?)entry.Context ?? DBNull.Value;
            p[7].Value = now;
            p[8].Value = 0;
            _insert.ExecuteNonQuery();
        }
    }

    public void Dispose() => _insert.Dispose();
}
