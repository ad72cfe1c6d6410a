namespace AllianceFhir.Core.Search;

/// <summary>
/// The range [Low, High) a decimal stands for at the precision it was written with: <c>100</c> is [99.5, 100.5),
/// <c>100.0</c> is [99.95, 100.05). System.Decimal keeps the written scale, which is what makes this work.
/// </summary>
public static class DecimalPrecision
{
    public static (decimal Low, decimal High) RangeOf(decimal value)
    {
        var half = HalfUnit(value.Scale);
        return (value - half, value + half);
    }

    /// <summary>For text with an exponent (<c>1e2</c>) the precision is the mantissa's, scaled.</summary>
    public static (decimal Low, decimal High) RangeOf(decimal value, int mantissaScale, int exponent)
    {
        var half = HalfUnit(mantissaScale);
        for (var i = 0; i < exponent; i++)
        {
            half *= 10;
        }

        for (var i = 0; i > exponent; i--)
        {
            half /= 10;
        }

        return (value - half, value + half);
    }

    private static decimal HalfUnit(int scale)
    {
        var half = 0.5m;
        for (var i = 0; i < scale; i++)
        {
            half /= 10;
        }

        return half;
    }
}
