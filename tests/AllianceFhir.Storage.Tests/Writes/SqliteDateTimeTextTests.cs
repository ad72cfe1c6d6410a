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

    [Theory]
    [MemberData(nameof(Edges))]
    public void Edge_values_read_back_as_the_driver_reads_them(long ticks)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        AssertReadsAsDriver(SqliteDateTimeText.ToText(new DateTime(ticks, DateTimeKind.Utc)), connection, ticks);
    }

    [Fact]
    public void Random_values_read_back_as_the_driver_reads_them()
    {
        var random = new Random(20261202);
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        for (var i = 0; i < 20_000; i++)
        {
            var ticks = random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks + 1);
            ticks -= (i % 4) switch { 0 => 0, 1 => ticks % TimeSpan.TicksPerMillisecond, 2 => ticks % TimeSpan.TicksPerSecond, _ => ticks % 1000 };
            AssertReadsAsDriver(SqliteDateTimeText.ToText(new DateTime(ticks, DateTimeKind.Utc)), connection, ticks);
        }
    }

    /// <summary>Text of another shape (written by hand, or by another tool) reads as the driver reads it, or fails as it fails.</summary>
    [Theory]
    [InlineData("2026-12-01T10:00:00")]
    [InlineData("2026-12-01T10:00:00Z")]
    [InlineData("2026-12-01 10:00:00+02:00")]
    [InlineData("2026-12-01")]
    [InlineData("2026-12-01 10:00")]
    [InlineData("2026-12-01 10:00:00.")]
    [InlineData("2026-12-01 10:00:00.12345678")]
    [InlineData("2026-12-01 10:00:00,5")]
    [InlineData("2026-02-30 10:00:00")]
    [InlineData("2026-12-01 24:00:00")]
    [InlineData("0000-01-01 00:00:00")]
    [InlineData(" 2026-12-01 10:00:00")]
    [InlineData("2026-1a-01 10:00:00")]
    [InlineData("not a date")]
    public void Other_text_reads_as_the_driver_reads_it(string text)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        DateTime? driver;
        Type? driverFailure = null;
        try
        {
            driver = DriverDateTime(text, connection);
        }
        catch (FormatException e)
        {
            driver = null;
            driverFailure = e.GetType();
        }

        if (driver is { } expected)
        {
            var ours = SqliteDateTimeText.Parse(System.Text.Encoding.UTF8.GetBytes(text));
            Assert.Equal(expected.Ticks, ours.Ticks);
            Assert.Equal(expected.Kind, ours.Kind);
        }
        else
        {
            Assert.Throws(driverFailure!, () => SqliteDateTimeText.Parse(System.Text.Encoding.UTF8.GetBytes(text)));
        }
    }

    private static void AssertReadsAsDriver(string text, SqliteConnection connection, long ticks)
    {
        var ours = SqliteDateTimeText.Parse(System.Text.Encoding.ASCII.GetBytes(text));
        var driver = DriverDateTime(text, connection);
        Assert.Equal(driver.Ticks, ours.Ticks);
        Assert.Equal(driver.Kind, ours.Kind);
        Assert.Equal(ticks, ours.Ticks);
    }

    /// <summary>What Microsoft.Data.Sqlite's reader returns for a TEXT value (what the prepared reads used to call).</summary>
    private static DateTime DriverDateTime(string text, SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT $v";
        command.Parameters.AddWithValue("$v", text);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return reader.GetDateTime(0);
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
