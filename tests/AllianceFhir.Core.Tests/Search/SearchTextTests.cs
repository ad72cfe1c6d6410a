using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Tests.Search;

public class SearchTextTests
{
    [Theory]
    [InlineData("Müller", "muller")]
    [InlineData("ÉLODIE Çelik", "elodie celik")]
    [InlineData("smith", "smith")]
    [InlineData("Ørsted", "ørsted")]
    [InlineData("Working Alliance Inventory - Short Revised (WAI-SR)", "working alliance inventory - short revised (wai-sr)")]
    [InlineData("Goal", "goal")]
    [InlineData("Ma\u0301ria GARCI\u0301A", "maria garcia")]
    public void Normalize_lowercases_and_strips_accents(string text, string expected)
    {
        Assert.Equal(expected, SearchText.Normalize(text));
    }

    [Theory]
    [InlineData("100", "99.5", "100.5")]
    [InlineData("100.0", "99.95", "100.05")]
    [InlineData("0.25", "0.245", "0.255")]
    [InlineData("-3", "-3.5", "-2.5")]
    public void Decimal_precision_sets_the_range(string text, string low, string high)
    {
        var (l, h) = DecimalPrecision.RangeOf(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Parse(low, System.Globalization.CultureInfo.InvariantCulture), l);
        Assert.Equal(decimal.Parse(high, System.Globalization.CultureInfo.InvariantCulture), h);
    }
}
