using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using MiniExcelLibs;

namespace AllianceFhir.Api.Tests.Import;

/// <summary>The shipped sample sheets, as CSV or converted to .xlsx, and the calls that import them.</summary>
public static class SpreadsheetFiles
{
    public const string SampleSystem = "http://clinic.example.org/mrn";
    public const string Operation = "/fhir/QuestionnaireResponse/$import-spreadsheet";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly string SamplesFolder = FindSamples();

    /// <summary>A sample's text with its patients under <paramref name="system"/>, so each test has patients of its own.</summary>
    public static string Sample(string name, string system) =>
        File.ReadAllText(Path.Combine(SamplesFolder, name + ".csv")).Replace(SampleSystem, system, StringComparison.Ordinal);

    public static string UniqueSystem() => $"http://clinic.example.org/{Guid.NewGuid():N}";

    public static ByteArrayContent Csv(string text) => Body(Encoding.UTF8.GetBytes(text), "text/csv");

    /// <summary>The CSV's cells written as an .xlsx workbook (text cells, header first), as a clinic's export holds them.</summary>
    public static ByteArrayContent AsXlsx(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var headers = lines[0].Split(',');
        var rows = lines.Skip(1).Select(line =>
        {
            var cells = SplitCsvLine(line);
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < headers.Length; i++)
            {
                row[headers[i]] = i < cells.Count && cells[i].Length > 0 ? cells[i] : null;
            }

            return row;
        }).ToList();
        using var stream = new MemoryStream();
        stream.SaveAs(rows, excelType: ExcelType.XLSX);
        return Body(stream.ToArray(), Xlsx);
    }

    public static async Task<Parameters> ImportAsync(HttpClient client, HttpContent body, bool dryRun = false)
    {
        using var response = await client.PostAsync(Operation + (dryRun ? "?dryRun=true" : string.Empty), body);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadAsAsync<Parameters>();
    }

    public static int Count(this Parameters report, string name) => ((Integer)report.Parameter.Single(p => p.Name == name).Value!).Value!.Value;

    public static IReadOnlyList<Parameters.ParameterComponent> Rows(this Parameters report) => [.. report.Parameter.Where(p => p.Name == "row")];

    public static string Status(this Parameters.ParameterComponent row) => ((Code)row.Part.Single(p => p.Name == "status").Value!).Value!;

    public static int Number(this Parameters.ParameterComponent row) => ((Integer)row.Part.Single(p => p.Name == "number").Value!).Value!.Value;

    public static string? ResponseReference(this Parameters.ParameterComponent row) =>
        (row.Part.SingleOrDefault(p => p.Name == "response")?.Value as ResourceReference)?.Reference;

    public static IReadOnlyList<(string Column, string Message)> Issues(this Parameters.ParameterComponent row) =>
        [.. row.Part.Where(p => p.Name == "issue").Select(i => (
            ((FhirString)i.Part.Single(p => p.Name == "column").Value!).Value!,
            ((FhirString)i.Part.Single(p => p.Name == "message").Value!).Value!))];

    /// <summary>The total the server scored for a stored response.</summary>
    public static async Task<decimal> TotalAsync(HttpClient client, string reference)
    {
        var response = await (await client.GetAsync($"/fhir/{reference}")).ReadAsAsync<QuestionnaireResponse>();
        var total = response.Item.Single(i => i.LinkId == "total").Answer.Single().Value;
        return total switch
        {
            FhirDecimal d => d.Value!.Value,
            Integer i => i.Value!.Value,
            _ => throw new InvalidOperationException($"total is a {total?.TypeName}"),
        };
    }

    public static async Task<int> CountAsync(HttpClient client, string search) =>
        (await (await client.GetAsync($"/fhir/{search}")).ReadAsAsync<Bundle>()).Entry.Count;

    private static List<string> SplitCsvLine(string line)
    {
        var cells = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        cells.Add(current.ToString());
        return cells;
    }

    private static ByteArrayContent Body(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static string FindSamples()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AllianceFhir.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("AllianceFhir.sln not found"), "samples", "import");
    }

    public static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
