using Microsoft.Data.Sqlite;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>One subscription's rows in the app's SQLite outbox, read from the file the app writes (never written here).</summary>
public static class OutboxRows
{
    public sealed record Row(long Sequence, string Kind, long? EventNumber, bool Delivered);

    public static async Task<IReadOnlyList<Row>> ReadAsync(string databasePath, string subscriptionId)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Sequence, Kind, EventNumber, DeliveredAt IS NOT NULL FROM SubscriptionOutbox WHERE SubscriptionId = $id ORDER BY Sequence";
        command.Parameters.AddWithValue("$id", subscriptionId);
        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetBoolean(3)));
        }

        return rows;
    }

    /// <summary>Polls until <paramref name="done"/> holds for the rows, or fails after <paramref name="seconds"/>.</summary>
    public static async Task<IReadOnlyList<Row>> WaitAsync(string databasePath, string subscriptionId, Func<IReadOnlyList<Row>, bool> done, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var rows = await ReadAsync(databasePath, subscriptionId);
            if (done(rows))
            {
                return rows;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The outbox of Subscription/{subscriptionId} did not reach: {what} within {seconds} s (rows: {string.Join(", ", rows)})");
            await Task.Delay(50);
        }
    }
}
