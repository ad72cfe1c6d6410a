using System.Net;
using System.Text.Json;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.Data.Sqlite;

namespace AllianceFhir.Api.Tests.App;

/// <summary>Form links as a clinic's system asks for them, and the patient form's submissions as its script sends them.</summary>
public static class FormLinkRequests
{
    public static Parameters LinkParameters(string patient, string? encounter = null, string? expires = null)
    {
        var parameters = new Parameters();
        parameters.Add("subject", new ResourceReference($"Patient/{patient}"));
        if (encounter is not null)
        {
            parameters.Add("encounter", new ResourceReference($"Encounter/{encounter}"));
        }

        if (expires is not null)
        {
            parameters.Add("expires", new FhirDateTime(expires));
        }

        return parameters;
    }

    /// <summary>Creates a link and answers its URL's path (<c>/app/fill/{token}</c>).</summary>
    public static async Task<string> CreateAsync(HttpClient client, string questionnaire, string patient, string? encounter = null, string? expires = null)
    {
        using var response = await client.PostAsync($"/fhir/Questionnaire/{questionnaire}/$create-link", LinkParameters(patient, encounter, expires));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Parameters>();
        var url = Assert.IsType<FhirUrl>(result.GetSingle("url")!.Value).Value!;
        return new Uri(url).AbsolutePath;
    }

    /// <summary>Posts answers as the form's script does (the response LHC-Forms exports).</summary>
    public static async Task<(HttpStatusCode Status, string Message)> SubmitAsync(HttpClient client, string path, QuestionnaireResponse answers)
    {
        using var response = await client.PostAsync(path, FhirHttp.JsonBody(answers));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        return (response.StatusCode, json.RootElement.GetProperty("message").GetString()!);
    }

    public static async Task<int> CountAsync(HttpClient client, string query)
    {
        var bundle = await (await client.GetAsync($"/fhir/{query}{(query.Contains('?') ? "&" : "?")}_total=accurate")).ReadAsAsync<Bundle>();
        return bundle.Total ?? -1;
    }

    /// <summary>The FormLinks rows, read straight from the database file: what a copy of it would reveal.</summary>
    public static List<Dictionary<string, object?>> Rows(FhirApplication app)
    {
        using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM FormLinks";
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
