using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Resolution;

/// <summary>
/// Finds the Questionnaire a response answers: <c>url|version</c> → exactly that version; <c>url</c> alone → the
/// newest active version; a relative <c>Questionnaire/id</c> reference → that resource. Unknown → 422.
/// </summary>
public static class QuestionnaireResolver
{

    /// <param name="pins">Where earlier answers to <c>url|version</c> references are remembered; null to always search.</param>
    public static async Task<Questionnaire> ResolveAsync(
        string reference,
        IResourceReader reader,
        CancellationToken cancellationToken,
        QuestionnairePins? pins = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        ArgumentNullException.ThrowIfNull(reader);
        var resolved = await TryResolveAsync(reference, reader, cancellationToken, pins);
        return resolved ?? throw FhirOperationException.Unprocessable(Outcomes.Create(
            OperationOutcome.IssueSeverity.Error,
            OperationOutcome.IssueType.NotFound,
            $"Questionnaire '{reference}' is not known to this server",
            "QuestionnaireResponse.questionnaire"));
    }

    public static async Task<Questionnaire?> TryResolveAsync(
        string reference,
        IResourceReader reader,
        CancellationToken cancellationToken,
        QuestionnairePins? pins = null)
    {
        var relative = RelativeId(reference);
        if (relative is not null)
        {
            return await reader.ReadAsync("Questionnaire", relative, cancellationToken) as Questionnaire;
        }

        var bar = reference.LastIndexOf('|');
        var url = bar < 0 ? reference : reference[..bar];
        var version = bar < 0 ? null : reference[(bar + 1)..];
        if (version is not null)
        {
            // The pinned id is read again and checked, so a changed or deleted Questionnaire falls back to the search.
            if (pins?.IdOf(reference) is { } knownId
                && await reader.ReadAsync("Questionnaire", knownId, cancellationToken) is Questionnaire known
                && known.Url == url && known.Version == version)
            {
                return known;
            }

            var exact = await reader.SearchAsync("Questionnaire", [new("url", url), new("version", version)], cancellationToken);
            var found = exact.OfType<Questionnaire>().FirstOrDefault(q => q.Url == url && q.Version == version);
            if (found?.Id is { } id)
            {
                pins?.Remember(reference, id);
            }

            return found;
        }

        var active = await reader.SearchAsync("Questionnaire", [new("url", url), new("status", "active")], cancellationToken);
        return active.OfType<Questionnaire>()
            .Where(q => q.Url == url && q.Status == PublicationStatus.Active)
            .OrderByDescending(q => q.Version, VersionComparer.Instance)
            .ThenByDescending(q => q.Date, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>The id of a <c>Questionnaire/id</c> reference (canonicals are absolute URLs, so never match).</summary>
    private static string? RelativeId(string reference)
    {
        const string prefix = "Questionnaire/";
        if (!reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = reference[prefix.Length..];
        var history = id.IndexOf("/_history/", StringComparison.Ordinal);
        return history < 0 ? id : id[..history];
    }
}
