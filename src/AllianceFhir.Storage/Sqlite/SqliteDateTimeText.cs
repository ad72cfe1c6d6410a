namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// The text Microsoft.Data.Sqlite stores for a <see cref="DateTime"/> bound as TEXT, written without the driver: its
/// <c>SqliteValueBinder</c> formats <c>ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)</c>,
/// that is seven fraction digits with the trailing zeros dropped, and the point too when the fraction is zero. Rows the
/// group committer binds itself must hold the same bytes as rows EF writes through the driver, or range searches and
/// ordering (text comparisons) would disagree between them; the tests compare this with the driver value by value.
/// </summary>
internal static class SqliteDateTimeText
{
    /// <summary>The longest text: <c>yyyy-MM-dd HH:mm:ss.fffffff</c>.</summary>
    public const int MaxLength = 27;

    /// <summary>Writes <paramref name="value"/>'s text as ASCII (hence UTF-8) into <paramref name="utf8"/>; returns its length.</summary>
    public static int Format(DateTime value, Span<byte> utf8)
    {
        var (year, month, day) = DateOnly.FromDateTime(value);
        var ticks = value.TimeOfDay.Ticks;
        var fraction = (int)(ticks % TimeSpan.TicksPerSecond);
        var seconds = (int)(ticks / TimeSpan.TicksPerSecond);

        _ = utf8[MaxLength - 1];
        Digits(utf8[..4], year);
        utf8[4] = (byte)'-';
        Digits(utf8.Slice(5, 2), month);
        utf8[7] = (byte)'-';
        Digits(utf8.Slice(8, 2), day);
        utf8[10] = (byte)' ';
        Digits(utf8.Slice(11, 2), seconds / 3600);
        utf8[13] = (byte)':';
        Digits(utf8.Slice(14, 2), seconds / 60 % 60);
        utf8[16] = (byte)':';
        Digits(utf8.Slice(17, 2), seconds % 60);
        if (fraction == 0)
        {
            return 19;
        }

        utf8[19] = (byte)'.';
        Digits(utf8.Slice(20, 7), fraction);
        var length = MaxLength;
        while (utf8[length - 1] == (byte)'0')
        {
            length--;
        }

        return length;
    }

    /// <summary>The text as a string (tests, and anything that is not on the hot path).</summary>
    public static string ToText(DateTime value)
    {
        Span<byte> utf8 = stackalloc byte[MaxLength];
        return System.Text.Encoding.ASCII.GetString(utf8[..Format(value, utf8)]);
    }

    /// <summary>Zero-padded decimal digits filling <paramref name="destination"/>.</summary>
    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
