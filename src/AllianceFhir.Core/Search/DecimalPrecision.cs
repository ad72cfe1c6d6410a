namespace AllianceFhir.Core.Search;

/// <summary>
/// The range [Low, High) a decimal stands for at the precision it was written with: <c>100</c> is [99.5, 100.5),
/// <c>100.0</c> is [99.95, 100.05). System.Decimal keeps the written scale, which is what makes this work.
/// Near the ends of System.Decimal's range the bounds stop at its ends instead of overflowing.
/// </summary>
public static class DecimalPrecision
{
    public static (decimal Low, decimal High) RangeOf(decimal value)
    {
        var half = HalfUnit(value.Scale);
        return (Saturating(() => value - half, decimal.MinValue), Saturating(() => value + half, decimal.MaxValue));
    }

    /// <summary>For text with an exponent (<c>1e2</c>) the precision is the mantissa's, scaled.</summary>
    public static (decimal Low, decimal High) RangeOf(decimal value, int mantissaScale, int exponent)
    {
        var half = HalfUnit(mantissaScale);
        for (var i = 0; i < exponent && half < decimal.MaxValue; i++)
        {
            half = Saturating(() => half * 10, decimal.MaxValue);
        }

        for (var i = 0; i > exponent && half != 0; i--)
        {
            half /= 10;
        }

        return (Saturating(() => value - half, decimal.MinValue), Saturating(() => value + half, decimal.MaxValue));
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

    private static decimal Saturating(Func<decimal> compute, decimal bound)
    {
        try
        {
            return compute();
        }
        catch (OverflowException)
        {
            return bound;
        }
    }
}
