namespace AllianceFhir.Instruments.Scoring;

/// <summary>A calculated item could not be evaluated: a defect of the Questionnaire, reported to the client as 422.</summary>
public sealed class ScoringException : Exception
{
    public ScoringException(string? linkId, string problem, Exception? inner = null)
        : base($"Score item '{linkId}': {problem}", inner)
    {
        LinkId = linkId;
    }

    public ScoringException()
    {
    }

    public ScoringException(string message)
        : base(message)
    {
    }

    public ScoringException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string? LinkId { get; }
}
