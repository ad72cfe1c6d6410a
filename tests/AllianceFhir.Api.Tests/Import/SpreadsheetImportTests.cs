using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using static AllianceFhir.Api.Tests.Import.SpreadsheetFiles;

namespace AllianceFhir.Api.Tests.Import;

public class SpreadsheetImportTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    [Theory]
    // WAI-SR: 4+4+3+5+4+4+3+4+5+4+4+4 (row 3 spells 4, 5, 3 as very-often, always, fairly-often).
    [InlineData("wai-sr", 2, "48")]
    [InlineData("srs", 2, "34.2")]
    [InlineData("ors", 2, "23.3")]
    // HAq-II: every item printed 4; items 4, 8, 11, 16 and 19 are reverse-scored, so 14 × 4 + 5 × 3.
    [InlineData("haq-ii", 1, "71")]
    public async Task Each_sample_imports_and_is_scored(string instrument, int rows, string firstTotal)
    {
        using var client = app.CreateClient();
        var system = UniqueSystem();

        var report = await ImportAsync(client, Csv(Sample(instrument, system)));

        Assert.Equal(rows, report.Count("created"));
        Assert.Equal(0, report.Count("refused"));
        var first = report.Rows()[0];
        Assert.Equal(2, first.Number());
        Assert.Equal(decimal.Parse(firstTotal, System.Globalization.CultureInfo.InvariantCulture), await TotalAsync(client, first.ResponseReference()!));
        Assert.Equal(1, await CountAsync(client, $"Patient?identifier={system}|MRN-1001"));
        Assert.True(await CountAsync(client, $"Observation?derived-from={first.ResponseReference()}") > 0, "the response's scores were extracted");
    }

    [Fact]
    public async Task Importing_the_same_file_twice_stores_nothing_twice()
    {
        using var client = app.CreateClient();
        var system = UniqueSystem();
        var file = Sample("wai-sr", system);

        var first = await ImportAsync(client, Csv(file));
        var second = await ImportAsync(client, Csv(file));

        Assert.Equal(2, first.Count("created"));
        Assert.Equal(0, second.Count("created"));
        Assert.Equal(2, second.Count("exists"));
        Assert.Equal(first.Rows().Select(r => r.ResponseReference()), second.Rows().Select(r => r.ResponseReference()));
        Assert.Equal(1, await CountAsync(client, $"Patient?identifier={system}|MRN-1001"));
        var patient = (await (await client.GetAsync($"/fhir/Patient?identifier={system}|MRN-1001")).ReadAsAsync<Bundle>()).Entry[0].Resource!.Id;
        Assert.Equal(1, await CountAsync(client, $"QuestionnaireResponse?subject=Patient/{patient}"));

        // Another sheet naming the same patient finds the patient stored by the first rather than creating another.
        var srs = await ImportAsync(client, Csv(Sample("srs", system)));
        Assert.Equal(2, srs.Count("created"));
        Assert.Equal(1, await CountAsync(client, $"Patient?identifier={system}|MRN-1001"));
        Assert.Equal(2, await CountAsync(client, $"QuestionnaireResponse?subject=Patient/{patient}"));
    }

    [Fact]
    public async Task A_dry_run_checks_every_row_and_stores_nothing()
    {
        using var client = app.CreateClient();
        var system = UniqueSystem();

        var report = await ImportAsync(client, Csv(Sample("ors", system)), dryRun: true);

        Assert.Equal(2, report.Count("valid"));
        Assert.All(report.Rows(), r => Assert.Equal("valid", r.Status()));
        Assert.Equal(0, await CountAsync(client, $"Patient?identifier={system}|"));
    }

    [Fact]
    public async Task Bad_rows_are_reported_by_row_and_column_and_the_good_rows_are_imported()
    {
        using var client = app.CreateClient();
        var system = UniqueSystem();
        var csv = $"""
            patient_system,patient,date,time,instrument,session,1,2,3,4
            {system},,2026-03-02,10:00,srs,1,8,8,8,8
            {system},P-3,2026-03-02,10:00,gad-7,1,8,8,8,8
            {system},P-4,2026-03-02,10:00,srs,1,8,11,8,8
            {system},P-5,2026-02-30,10:00,srs,1,8,8,8,8
            {system},P-6,2026-03-02,10:00,srs,1,8,8,8,8
            {system},P-6,2026-03-02,10:00,srs,1,9,9,9,9
            {system},P-8,2026-03-02,10:00,srs,1,8,8,8,
            """;

        var report = await ImportAsync(client, Csv(csv));

        var rows = report.Rows();
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], rows.Select(r => r.Number()));
        Assert.Equal(["refused", "refused", "refused", "refused", "created", "refused", "refused"], rows.Select(r => r.Status()));
        Assert.Equal("patient", Assert.Single(rows[0].Issues()).Column);
        Assert.Equal("instrument", Assert.Single(rows[1].Issues()).Column);
        var range = Assert.Single(rows[2].Issues());
        Assert.Equal("2", range.Column);
        Assert.Contains("outside the range", range.Message, StringComparison.Ordinal);
        Assert.Equal("date", Assert.Single(rows[3].Issues()).Column);
        var duplicate = Assert.Single(rows[5].Issues());
        Assert.Contains("row 6", duplicate.Message, StringComparison.Ordinal);
        Assert.Equal("4", Assert.Single(rows[6].Issues()).Column);
        Assert.Equal(1, report.Count("created"));
        Assert.Equal(6, report.Count("refused"));
        var outcome = (OperationOutcome)report.Parameter.Single(p => p.Name == "outcome").Resource!;
        Assert.Contains(outcome.Issue, i => i.Diagnostics!.StartsWith("Row 4, column '2':", StringComparison.Ordinal));
        // Only the good row's patient exists: a refused row writes nothing.
        Assert.Equal(1, await CountAsync(client, $"Patient?identifier={system}|"));
    }

    [Fact]
    public async Task An_xlsx_workbook_imports_like_the_csv()
    {
        using var client = app.CreateClient();
        var system = UniqueSystem();

        var report = await ImportAsync(client, AsXlsx(Sample("srs", system)));

        Assert.Equal(2, report.Count("created"));
        Assert.Equal(34.2m, await TotalAsync(client, report.Rows()[0].ResponseReference()!));
        // Row 3 writes its first line score with a decimal comma (9,5).
        Assert.Equal(38m, await TotalAsync(client, report.Rows()[1].ResponseReference()!));
    }

    [Fact]
    public async Task Another_media_type_is_415_and_a_file_without_the_required_columns_is_400()
    {
        using var client = app.CreateClient();

        using var json = await client.PostAsync(Operation, FhirHttp.JsonBody(new Parameters()));
        using var headerless = await client.PostAsync(Operation, Csv("patient,date\nP-1,2026-03-02\n"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.NotNull(await json.ReadAsAsync<OperationOutcome>());
        Assert.Equal(HttpStatusCode.BadRequest, headerless.StatusCode);
        var outcome = await headerless.ReadAsAsync<OperationOutcome>();
        Assert.Contains("'instrument'", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_a_workbook_is_400()
    {
        using var client = app.CreateClient();
        var body = Csv(Sample("srs", UniqueSystem()));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(Xlsx);

        using var response = await client.PostAsync(Operation, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Structure, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_and_stores_nothing()
    {
        using var small = new FhirApplication().With("Import:MaxSpreadsheetBytes", "200");
        using var client = small.CreateClient();
        var system = UniqueSystem();

        using var response = await client.PostAsync(Operation, Csv(Sample("wai-sr", system)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.TooCostly, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        Assert.Equal(0, await CountAsync(client, $"Patient?identifier={system}|"));
    }
}
