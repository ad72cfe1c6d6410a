namespace AllianceFhir.Api.Errors;

/// <summary>The first frames of an exception's stack, so that one failure cannot flood the log.</summary>
public static class BoundedStackTrace
{
    public const int MaxFrames = 40;

    public static string Of(Exception exception)
    {
        var trace = exception.StackTrace;
        if (string.IsNullOrEmpty(trace))
        {
            return string.Empty;
        }

        var end = -1;
        for (var frame = 0; frame < MaxFrames; frame++)
        {
            end = trace.IndexOf('\n', end + 1);
            if (end < 0)
            {
                return trace;
            }
        }

        var omitted = trace.AsSpan(end).Count('\n');
        return $"{trace[..end]}\n   … {omitted} more frames";
    }
}
