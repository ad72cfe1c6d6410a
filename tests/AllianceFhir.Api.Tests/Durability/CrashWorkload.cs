using System.Collections.Concurrent;
using System.Globalization;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Durability;

/// <summary>A write the server acknowledged (2xx): it must read back at this version, with this marker, after any crash.</summary>
public sealed record AckedVersion(string ResourceType, string Id, int Version, string Marker);

/// <summary>A transaction sent (acknowledged or not): its entries carry one marker, and must be all there or none.</summary>
public sealed record SentTransaction(string Marker, int Patients, int Observations);

/// <summary>
/// The writers that run against the API until it is killed, and the ledger of what they were told (queues, so that what
/// was added since the last kill is the tail).
/// </summary>
public sealed class CrashWorkload(Questionnaire waiSr, Questionnaire srs)
{
    public const string MarkerSystem = "urn:alliancefhir:crash-test";
    private const int ObservationsPerTransaction = 3;

    public ConcurrentQueue<AckedVersion> Acked { get; } = [];

    public ConcurrentQueue<SentTransaction> Transactions { get; } = [];

    public ConcurrentQueue<AckedVersion> AckedTransactions { get; } = [];

    /// <summary>Patients whose questionnaire responses were submitted (acknowledged or not), with the instrument used.</summary>
    public ConcurrentQueue<(string Patient, string Instrument)> ResponseSubjects { get; } = [];

    /// <summary>Answers other than 2xx received while the server was up: the workload is valid, so any is a defect.</summary>
    public ConcurrentBag<string> Refusals { get; } = [];

    public static string NewMarker() => Guid.NewGuid().ToString("N");

    public static Identifier MarkerOf(string marker) => new(MarkerSystem, marker);

    /// <summary>Runs two writers of each kind until <paramref name="stop"/> fires; a request cut off by the kill is simply not acknowledged.</summary>
    public Task RunAsync(HttpClient client, CancellationToken stop)
    {
        Func<HttpClient, CancellationToken, Task>[] kinds = [CreateAsync, UpdateAsync, TransactionAsync, QuestionnaireResponseAsync];
        return Task.WhenAll(kinds.SelectMany(kind => new[] { Loop(kind), Loop(kind) }));

        async Task Loop(Func<HttpClient, CancellationToken, Task> write)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await write(client, stop);
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                {
                    // The server died under this request (or the run is over): nothing was acknowledged.
                    if (!stop.IsCancellationRequested)
                    {
                        await Task.Delay(50, CancellationToken.None);
                    }
                }
            }
        }
    }

    private async Task CreateAsync(HttpClient client, CancellationToken stop)
    {
        var marker = NewMarker();
        await CreatePatientAsync(client, marker, stop);
    }

    /// <summary>One resource updated again and again with If-Match, each version carrying its own marker.</summary>
    private async Task UpdateAsync(HttpClient client, CancellationToken stop)
    {
        var (id, version) = await CreatePatientAsync(client, NewMarker(), stop);
        if (id is null)
        {
            return;
        }

        for (var i = 0; i < 20 && !stop.IsCancellationRequested; i++)
        {
            var marker = NewMarker();
            var patient = NewPatient(marker);
            patient.Id = id;
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Patient/{id}") { Content = FhirHttp.JsonBody(patient) };
            request.Headers.TryAddWithoutValidation("If-Match", $"W/\"{version}\"");
            using var response = await client.SendAsync(request, stop);
            if (!await AcknowledgedAsync(response, "update"))
            {
                return;
            }

            version = VersionOf(response);
            Acked.Enqueue(new AckedVersion("Patient", id, version, marker));
        }
    }

    /// <summary>A Patient and its Observations in one transaction, all marked alike.</summary>
    private async Task TransactionAsync(HttpClient client, CancellationToken stop)
    {
        var marker = NewMarker();
        var patientUrn = BundleBuilder.NewUrn();
        var builder = BundleBuilder.Transaction().Post(NewPatient(marker), patientUrn);
        for (var i = 0; i < ObservationsPerTransaction; i++)
        {
            var observation = Clinical.ScoreFor(patientUrn);
            observation.Identifier = [MarkerOf(marker)];
            builder.Post(observation);
        }

        Transactions.Enqueue(new SentTransaction(marker, 1, ObservationsPerTransaction));
        using var response = await client.PostBundleAsync(builder.Bundle);
        if (!await AcknowledgedAsync(response, "transaction"))
        {
            return;
        }

        var result = await response.ReadAsAsync<Bundle>();
        foreach (var entry in result.Entry)
        {
            var (type, id, version) = ParseLocation(entry.Response?.Location);
            AckedTransactions.Enqueue(new AckedVersion(type, id, version, marker));
        }
    }

    /// <summary>A scored instrument response: the server writes it and its score Observations in one transaction.</summary>
    private async Task QuestionnaireResponseAsync(HttpClient client, CancellationToken stop)
    {
        var (patient, _) = await CreatePatientAsync(client, NewMarker(), stop);
        if (patient is null)
        {
            return;
        }

        var useWai = Random.Shared.Next(2) == 0;
        var response = useWai
            ? InstrumentResponses.Choices(waiSr, patient, [.. Enumerable.Range(0, 12).Select(_ => Random.Shared.Next(5))])
            : InstrumentResponses.Decimals(srs, patient, [.. Enumerable.Range(0, 4).Select(_ => (decimal)Random.Shared.Next(11))]);

        // Only the Patient exists; the builder's encounter reference would point at nothing.
        response.Encounter = null;
        ResponseSubjects.Enqueue((patient, useWai ? "wai-sr" : "srs"));
        using var created = await client.PostAsync("/fhir/QuestionnaireResponse", FhirHttp.JsonBody(response), stop);
        if (await AcknowledgedAsync(created, "questionnaire response"))
        {
            var (type, id, version) = ParseLocation(created.Headers.Location?.ToString());
            Acked.Enqueue(new AckedVersion(type, id, version, patient));
        }
    }

    private async Task<(string? Id, int Version)> CreatePatientAsync(HttpClient client, string marker, CancellationToken stop)
    {
        using var response = await client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(NewPatient(marker)), stop);
        if (!await AcknowledgedAsync(response, "create"))
        {
            return (null, 0);
        }

        var (_, id, version) = ParseLocation(response.Headers.Location?.ToString());
        Acked.Enqueue(new AckedVersion("Patient", id, version, marker));
        return (id, version);
    }

    private async Task<bool> AcknowledgedAsync(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        Refusals.Add($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return false;
    }

    private static Patient NewPatient(string marker) => new()
    {
        Identifier = [MarkerOf(marker)],
        Name = [new HumanName { Family = "Crash", Given = ["Test"] }],
    };

    /// <summary>The version the server acknowledged: <c>ETag: W/"3"</c>.</summary>
    private static int VersionOf(HttpResponseMessage response)
    {
        var tag = response.Headers.ETag?.Tag ?? throw new InvalidOperationException($"{(int)response.StatusCode} without an ETag");
        return int.Parse(tag.Trim('"'), CultureInfo.InvariantCulture);
    }

    /// <summary><c>[base/]Type/id/_history/vid</c>, absolute or relative.</summary>
    private static (string Type, string Id, int Version) ParseLocation(string? location)
    {
        var segments = (location ?? throw new InvalidOperationException("an acknowledged write without a location")).Split('/');
        var history = Array.LastIndexOf(segments, "_history");
        if (history < 2 || history + 1 >= segments.Length)
        {
            throw new InvalidOperationException($"'{location}' is not a versioned location");
        }

        return (segments[history - 2], segments[history - 1], int.Parse(segments[history + 1], CultureInfo.InvariantCulture));
    }
}
