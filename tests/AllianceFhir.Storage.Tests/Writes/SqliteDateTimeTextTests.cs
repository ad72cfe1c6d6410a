using AllianceFhir.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// The group committer writes DateTimes as text itself (<see cref="SqliteDateTimeText"/>); the text must be the one
/// Microsoft.Data.Sqlite writes when EF binds the same value, or a row's times would compare differently by who wrote it.
/// </summary>
public sealed class SqliteDateTimeTextTests
{
    public static TheoryData<long> Edges => new()
    {
        DateTime.MinValue.Ticks,
        DateTime.MaxValue.Ticks,
        new DateTime(2026, 12, 1, 0, 0, 0).Ticks,
        new DateTime(2026, 12, 1, 23, 59, 59).Ticks + 1,
        new DateTime(2026, 12, 1, 23, 59, 59).Ticks + 10,
        new DateTime(2026, 12, 1, 23, 59, 59, 250).Ticks,
        new DateTime(2026, 12, 1, 23, 59, 59, 999).Ticks + 9_999,
        new DateTime(2026, 2, 28, 12, 0, 0).Ticks + 1_000_000,
        new DateTime(999, 1, 1, 1, 1, 1).Ticks + 1_234_560,
        new DateTime(10, 10, 10, 10, 10, 10).Ticks + 100,
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Edge_values_read_as_the_driver_writes_them(long ticks) =>
        Assert.Equal(DriverText(new DateTime(ticks, DateTimeKind.Utc)), SqliteDateTimeText.ToText(new DateTime(ticks, DateTimeKind.Utc)));

    [Fact]
    public void Random_values_read_as_the_driver_writes_them()
    {
        var random = new Random(20261201);
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        for (var i = 0; i < 20_000; i++)
        {
            var ticks = random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks + 1);

            // Half of them with a fraction of whole milliseconds or seconds, as stored times mostly are.
            ticks -= (i % 4) switch { 0 => 0, 1 => ticks % TimeSpan.TicksPerMillisecond, 2 => ticks % TimeSpan.TicksPerSecond, _ => ticks % 1000 };
            var value = new DateTime(ticks, DateTimeKind.Utc);
            Assert.Equal(DriverText(value, connection), SqliteDateTimeText.ToText(value));
        }
    }

    /// <summary>What Microsoft.Data.Sqlite stores for the value bound as a parameter (what EF's inserts bind).</summary>
    private static string DriverText(DateTime value, SqliteConnection? open = null)
    {
        using var own = open is null ? new SqliteConnection("Data Source=:memory:") : null;
        var connection = open ?? own!;
        if (own is not null)
        {
            connection.Open();
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT typeof($v) || ' ' || $v";
        command.Parameters.AddWithValue("$v", value);
        var text = (string)command.ExecuteScalar()!;
        Assert.StartsWith("text ", text, StringComparison.Ordinal);
        return text["text ".Length..];
    }
}
