using System.Net;
using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Security;
using AllianceFhir.Spreadsheets;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Import;

/// <summary><c>POST [base]/QuestionnaireResponse/$import-spreadsheet</c>: a clinic's CSV or .xlsx sheet in, a report out.</summary>
public static class SpreadsheetImportEndpoints
{
    public const string OperationName = "import-spreadsheet";

    /// <summary>Called by <see cref="ImportServiceCollectionExtensions.AddFhirImport"/>, which registers the options it reads.</summary>
    internal static IServiceCollection AddSpreadsheetImport(this IServiceCollection services)
    {
        services.AddSingleton<FluentValidation.IValidator<ImportRowInput>, ImportRowValidator>();
        services.AddSingleton<SpreadsheetChecker>();
        services.AddScoped<SpreadsheetImporter>();
        return services;
    }

    public static void MapSpreadsheetImport(this RouteGroupBuilder fhir)
    {
        fhir.MapPost($"/QuestionnaireResponse/${OperationName}", ImportAsync)
            .WithName("import-spreadsheet-QuestionnaireResponse")
            .WithTags(nameof(QuestionnaireResponse))
            .WithSummary("Import a clinic's sheet of responses (CSV or .xlsx), one completed QuestionnaireResponse per row")
            .WithDescription(
                $"Body: {SpreadsheetReader.CsvMediaType} or {SpreadsheetReader.XlsxMediaType}, one row per administration "
                + "(docs/spreadsheet-import.md). Query: dryRun=true checks the file and stores nothing. 200 with a Parameters report: "
                + "counts, a 'row' part per row (number, status created|exists|valid|refused, response, issues with column and message) "
                + "and an 'outcome' OperationOutcome. 400 when the file or its header cannot be read, 413 when too large, 415 for "
                + "another media type. Rows already imported (same patient, instrument, time, episode and session) are not stored twice.")
            .WithMetadata(new FhirQueryMetadata(DryRun))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
    }

    private static readonly FhirQueryParameter DryRun = new("dryRun", "boolean", "true: check the file and store nothing", Example: "true");

    public static async Task<IResult> ImportAsync(
        HttpContext http,
        SpreadsheetImporter importer,
        AccessPolicy policy,
        IOptions<ImportOptions> importOptions,
        IOptions<FhirServerOptions> serverOptions,
        CancellationToken ct)
    {
        var caller = http.GetAccessContext();
        RefuseRestricted(caller, policy);
        var dryRun = http.Request.Query["dryRun"].ToString() switch
        {
            "" or "false" => false,
            "true" => true,
            var other => throw FhirOperationException.BadRequest($"dryRun must be true or false, not '{other}'", "dryRun"),
        };

        var options = importOptions.Value;
        var rows = await SpreadsheetUpload.ReadAsync(http.Request, options, ct);
        var context = new BundleRequestContext(FhirUrls.Base(http.Request), ReturnPreference.Minimal, serverOptions.Value.MaxBundleEntries, caller);
        var results = await importer.ImportAsync(rows, options.Spreadsheet, dryRun, context, ct);
        return FhirResponse.Of(ImportReport.Build(results, dryRun));
    }

    /// <summary>
    /// A patient/ (or search-filtered) grant covers some patients only, and a sheet names patients by identifier,
    /// creating the unknown ones: which rows it could write cannot be decided up front, so such tokens are refused whole.
    /// </summary>
    private static void RefuseRestricted(AccessContext caller, AccessPolicy policy)
    {
        foreach (var type in OperationPermissions.Find(nameof(QuestionnaireResponse), OperationName, instance: false)!.AllTypes)
        {
            if (new[] { Permissions.Create, Permissions.Search }.Any(p => policy.IsRestricted(caller, type, p)))
            {
                throw FhirOperationException.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden,
                    $"${OperationName} needs user/ or system/ scopes on {type}: patient/ and search-filtered scopes grant only some patients' data");
            }
        }
    }
}
