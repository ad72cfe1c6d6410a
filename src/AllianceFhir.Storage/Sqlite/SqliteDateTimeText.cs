namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// The text Microsoft.Data.Sqlite stores for a <see cref="DateTime"/> bound as TEXT, written without the driver: its
/// <c>SqliteValueBinder</c> formats <c>ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)</c>,
/// that is seven fraction digits with the trailing zeros dropped, and the point too when the fraction is zero. Rows the
/// group committer binds itself must hold the same bytes as rows EF writes through the driver, or range searches and
/// ordering (text comparisons) would disagree between them; the tests compare this with the driver value by value.
/// The prepared reads by id read the same text back (<see cref="Parse"/>) as the driver's reader would.
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

    /// <summary>
    /// The <see cref="DateTime"/> the driver's reader returns for this text (<c>GetDateTime</c> on a TEXT value: the
    /// invariant-culture parse; since Microsoft.Data.Sqlite 10, text with an offset comes back as UTC, kind Utc, and
    /// text without one keeps kind Unspecified). Text of the stored shape is read digit by digit (every read by id reads
    /// its row's lastUpdated: the culture-aware parse was ~1 % of a read's CPU); anything else is parsed as the driver
    /// parses it, so the result, or the exception, is the same (the tests compare both with the driver).
    /// </summary>
    public static DateTime Parse(ReadOnlySpan<byte> utf8) =>
        TryParseStored(utf8, out var value)
            ? value
            : DateTime.Parse(
                System.Text.Encoding.UTF8.GetString(utf8),
                System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal);

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c>, then nothing or a point and 1-7 fraction digits; false for anything else.</summary>
    private static bool TryParseStored(ReadOnlySpan<byte> utf8, out DateTime value)
    {
        value = default;
        if (utf8.Length < 19 || utf8.Length == 20 || utf8.Length > MaxLength
            || utf8[4] != (byte)'-' || utf8[7] != (byte)'-' || utf8[10] != (byte)' ' || utf8[13] != (byte)':' || utf8[16] != (byte)':'
            || (utf8.Length > 19 && utf8[19] != (byte)'.'))
        {
            return false;
        }

        if (!Number(utf8[..4], out var year) || !Number(utf8.Slice(5, 2), out var month) || !Number(utf8.Slice(8, 2), out var day)
            || !Number(utf8.Slice(11, 2), out var hour) || !Number(utf8.Slice(14, 2), out var minute) || !Number(utf8.Slice(17, 2), out var second))
        {
            return false;
        }

        var fraction = 0;
        if (utf8.Length > 19)
        {
            var digits = utf8[20..];
            if (!Number(digits, out fraction))
            {
                return false;
            }

            for (var i = digits.Length; i < 7; i++)
            {
                fraction *= 10;
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTime(year, month, day, hour, minute, second).AddTicks(fraction);
        return true;
    }

    private static bool Number(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return true;
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
