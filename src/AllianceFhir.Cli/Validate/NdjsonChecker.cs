using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Import;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Instruments.Pipeline;
using Hl7.Fhir.Model;

namespace AllianceFhir.Cli.Validate;

/// <summary>
/// The checks of an NDJSON line that need no server, in the order <c>$import</c> makes them and with its outcomes
/// (<see cref="ImportLineParser.Refusal"/>): the body checks and strict parse, a type this server stores, a valid id,
/// and for a QuestionnaireResponse the instrument pipeline (answers, enableWhen, scoring). What needs the server's data
/// (references, identifiers already stored, access) only the server can judge.
/// </summary>
public sealed class NdjsonChecker(QuestionnaireResponseProcessor processor, IResourceReader catalog)
{
    public const int MaxLineBytes = 10 * 1024 * 1024;

    /// <summary>The refusals of the file's lines, in order (empty: every line would get past these checks).</summary>
    public async Task<IReadOnlyList<OperationOutcome>> CheckAsync(Stream stream, CancellationToken cancellationToken)
    {
        var refusals = new List<OperationOutcome>();
        var reader = new NdjsonLineReader(stream, 0, 0, MaxLineBytes);
        while (await reader.ReadAsync(cancellationToken) is { } line)
        {
            if (line.TooLong)
            {
                refusals.Add(ImportLineParser.Refusal(line.Number, null, FhirOperationException.Of(
                    System.Net.HttpStatusCode.RequestEntityTooLarge,
                    OperationOutcome.IssueType.TooCostly,
                    $"The line is longer than {MaxLineBytes} bytes (Import:MaxLineBytes)")));
                continue;
            }

            if (line.Bytes.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            Resource? resource = null;
            try
            {
                resource = ImportLineParser.Parse(line.Bytes.Span);
                await CheckAsync(resource, cancellationToken);
            }
            catch (FhirOperationException failure)
            {
                refusals.Add(ImportLineParser.Refusal(line.Number, Describe(resource), failure));
            }
        }

        return refusals;
    }

    private async Task CheckAsync(Resource resource, CancellationToken cancellationToken)
    {
        var type = resource.TypeName;
        if (!SupportedResourceTypes.IsSupported(type))
        {
            throw FhirOperationException.NotFound($"Resource type '{type}' is not supported by this server");
        }

        AuditEventWrites.EnsureAllowed(FhirInteraction.Create, type);

        if (!string.IsNullOrEmpty(resource.Id) && !FhirId.IsValid(resource.Id))
        {
            throw FhirOperationException.BadRequest($"'{resource.Id}' is not a valid FHIR id", $"{type}.id");
        }

        if (resource is QuestionnaireResponse response)
        {
            // ProcessAsync is what the write hook runs; on a copy, since it writes the scores into the response.
            await processor.ProcessAsync((QuestionnaireResponse)response.DeepCopy(), null, catalog, cancellationToken);
        }
    }

    private static string? Describe(Resource? resource) =>
        resource is null ? null : FhirId.IsValid(resource.Id) ? $"{resource.TypeName}/{resource.Id}" : resource.TypeName;
}
