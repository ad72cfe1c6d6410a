using System.Globalization;
using Hl7.Fhir.Model;

namespace AllianceFhir.SearchBenchmarks;

/// <summary>
/// The synthetic data set: patients p0…pN, each with responses to two alliance instruments (alternating) and one
/// score Observation per response. Everything is derived from the indexes, so the measure step can name existing
/// patients and dates without reading the database.
/// </summary>
internal static class BenchData
{
    public static readonly (string Url, string Version, string Code)[] Instruments =
    [
        ("http://alliance.example.org/Questionnaire/wai-sr", "1.0.0", "wai-sr-total"),
        ("http://alliance.example.org/Questionnaire/srs", "3.0", "srs-total"),
    ];

    public const string CodeSystem = "http://alliance.example.org/CodeSystem/scores";

    public static readonly DateTime Start = new(2024, 1, 1, 9, 0, 0, DateTimeKind.Utc);

    public static string PatientId(int p) => string.Create(CultureInfo.InvariantCulture, $"p{p}");

    /// <summary>Response k of a patient is authored k weeks (plus a patient-specific offset) after <see cref="Start"/>.</summary>
    public static DateTime Authored(int p, int k) => Start.AddDays(k * 7).AddMinutes(p % 1440);

    public static Patient Patient(int p) => new()
    {
        Id = PatientId(p),
        Name = [new HumanName { Family = string.Create(CultureInfo.InvariantCulture, $"Family{p % 997}"), Given = ["Alex"] }],
        Identifier = [new Identifier("http://clinic.example.org/mrn", string.Create(CultureInfo.InvariantCulture, $"mrn-{p}"))],
    };

    public static QuestionnaireResponse Response(int p, int k)
    {
        var (url, version, _) = Instruments[k % Instruments.Length];
        var response = new QuestionnaireResponse
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"qr-{p}-{k}"),
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Questionnaire = $"{url}|{version}",
            Subject = new ResourceReference($"Patient/{PatientId(p)}"),
            Authored = Authored(p, k).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        for (var i = 1; i <= 4; i++)
        {
            response.Item.Add(new QuestionnaireResponse.ItemComponent
            {
                LinkId = string.Create(CultureInfo.InvariantCulture, $"q{i}"),
                Answer = [new QuestionnaireResponse.AnswerComponent { Value = new Integer((p + k + i) % 5 + 1) }],
            });
        }

        return response;
    }

    public static Observation Score(int p, int k)
    {
        var (_, _, code) = Instruments[k % Instruments.Length];
        return new Observation
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"obs-{p}-{k}"),
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(CodeSystem, code),
            Subject = new ResourceReference($"Patient/{PatientId(p)}"),
            Effective = new FhirDateTime(new DateTimeOffset(Authored(p, k))),
            Value = new Quantity((p + k) % 20 + 10, "{score}"),
            DerivedFrom = [new ResourceReference(string.Create(CultureInfo.InvariantCulture, $"QuestionnaireResponse/qr-{p}-{k}"))],
        };
    }
}
