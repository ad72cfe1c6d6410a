using System.Globalization;

namespace AllianceFhir.Instruments.Resolution;

/// <summary>
/// Orders business versions the way people number them: dot-separated parts compared numerically when both are
/// numbers ("1.10.0" after "1.9.0"), otherwise ordinally. Null sorts first.
/// </summary>
public sealed class VersionComparer : IComparer<string?>
{
    public static readonly VersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var xs = x.Split('.', '-');
        var ys = y.Split('.', '-');
        for (var i = 0; i < Math.Max(xs.Length, ys.Length); i++)
        {
            if (i >= xs.Length)
            {
                return -1;
            }

            if (i >= ys.Length)
            {
                return 1;
            }

            var order = long.TryParse(xs[i], NumberStyles.None, CultureInfo.InvariantCulture, out var xn)
                && long.TryParse(ys[i], NumberStyles.None, CultureInfo.InvariantCulture, out var yn)
                    ? xn.CompareTo(yn)
                    : string.CompareOrdinal(xs[i], ys[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }
}
