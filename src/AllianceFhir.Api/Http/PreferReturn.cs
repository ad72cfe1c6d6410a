namespace AllianceFhir.Api.Http;

/// <summary>The <c>Prefer: return=…</c> choices of the R4 HTTP page.</summary>
public enum PreferReturn
{
    Representation,
    Minimal,
    OperationOutcome,
}

public static class PreferHeader
{
    public static PreferReturn Return(HttpRequest request)
    {
        foreach (var value in request.Headers["Prefer"])
        {
            foreach (var part in (value ?? string.Empty).Split([',', ';'], StringSplitOptions.TrimEntries))
            {
                switch (part)
                {
                    case "return=minimal":
                        return PreferReturn.Minimal;
                    case "return=OperationOutcome":
                        return PreferReturn.OperationOutcome;
                    case "return=representation":
                        return PreferReturn.Representation;
                }
            }
        }

        return PreferReturn.Representation;
    }

    /// <summary><c>Prefer: handling=strict</c>: unknown search parameters are errors rather than ignored.</summary>
    public static bool IsStrictHandling(HttpRequest request) =>
        request.Headers["Prefer"].Any(v => v?.Contains("handling=strict", StringComparison.Ordinal) == true);
}
