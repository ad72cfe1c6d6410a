using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

/// <summary>
/// Many writers sending the same conditional write at once must leave exactly one resource for the condition, and every
/// one of them must be told that resource's id (NDJSON and spreadsheet imports rely on this to be idempotent).
/// Each round starts its writers together behind a gate; rounds and time are bounded.
/// </summary>
public sealed class ConditionalRaceTests : IDisposable
{
    private const int Writers = 16;
    private const int Rounds = 5;
    private static readonly TimeSpan RoundLimit = TimeSpan.FromSeconds(60);

    private readonly FhirApplication _app = new();

    [Fact]
    public async Task Racing_if_none_exist_creates_leave_one_resource_and_answer_its_id()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var mrn = Clinical.NewMrn();

            // Half the writers spell the condition the other way round: the same condition all the same.
            var answers = await RaceAsync(async (client, i, cancellationToken) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(FemalePatient(mrn)) };
                request.Headers.TryAddWithoutValidation("If-None-Exist", i % 2 == 0
                    ? $"identifier={Clinical.MrnSystem}|{mrn}&gender=female"
                    : $"gender=female&identifier={Uri.EscapeDataString($"{Clinical.MrnSystem}|{mrn}")}");
                using var response = await client.SendAsync(request, cancellationToken);
                return (response.StatusCode, await IdOfAsync(response));
            });

            await AssertOneResourceAsync(mrn, answers);
        }
    }

    [Fact]
    public async Task Racing_conditional_updates_leave_one_resource_and_update_it()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var mrn = Clinical.NewMrn();

            var answers = await RaceAsync(async (client, i, cancellationToken) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}")
                {
                    Content = FhirHttp.JsonBody(Patients.WithMrn(mrn, $"Writer{i}")),
                };
                using var response = await client.SendAsync(request, cancellationToken);
                return (response.StatusCode, await IdOfAsync(response));
            });

            var id = await AssertOneResourceAsync(mrn, answers);

            // One create and fifteen updates of that same resource.
            var history = await _app.CreateClient().SearchAsync($"/fhir/Patient/{id}/_history?_count=100");
            Assert.Equal(Writers, history.Entry.Count);
        }
    }

    [Fact]
    public async Task Racing_transactions_with_if_none_exist_leave_one_resource_and_answer_its_id()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var mrn = Clinical.NewMrn();

            var answers = await RaceAsync((client, _, cancellationToken) => TransactionIfNoneExistAsync(client, mrn, cancellationToken));
            await AssertOneResourceAsync(mrn, answers);
        }
    }

    [Fact]
    public async Task Racing_creates_after_the_condition_s_resource_was_deleted_make_one_new_resource()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var mrn = Clinical.NewMrn();
            var client = _app.CreateClient();
            var (status, id) = await TransactionIfNoneExistAsync(client, mrn, CancellationToken.None);
            Assert.Equal(HttpStatusCode.Created, status);
            using var deleted = await client.DeleteAsync($"/fhir/Patient/{id}");

            // The deleted resource's claim on the condition is stale: exactly one racer may take it over.
            var answers = await RaceAsync((racer, i, cancellationToken) => (i % 3) switch
            {
                0 => TransactionIfNoneExistAsync(racer, mrn, cancellationToken),
                1 => TransactionIfNoneExistAsync(racer, mrn, cancellationToken, Bundle.BundleType.Batch),
                _ => PostIfNoneExistAsync(racer, mrn, cancellationToken),
            });

            await AssertOneResourceAsync(mrn, answers);
        }
    }

    /// <summary>
    /// Every way of writing under one condition at once: REST create with If-None-Exist, REST conditional update, and the
    /// same two as transaction entries. They share the condition's claim, so one creates and the rest find it.
    /// </summary>
    [Fact]
    public async Task Racing_conditional_creates_and_updates_over_REST_and_transactions_leave_one_resource()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var mrn = Clinical.NewMrn();
            var condition = $"identifier={Clinical.MrnSystem}|{mrn}";

            var answers = await RaceAsync((client, i, cancellationToken) => (i % 4) switch
            {
                0 => PostIfNoneExistAsync(client, mrn, cancellationToken),
                1 => PutConditionalAsync(client, mrn, cancellationToken),
                2 => EntryAsync(client, BundleBuilder.Transaction().Put($"Patient?{condition}", Patients.WithMrn(mrn)).Bundle, cancellationToken),
                _ => TransactionIfNoneExistAsync(client, mrn, cancellationToken),
            });

            await AssertOneResourceAsync(mrn, answers);
        }
    }

    private static async Task<(HttpStatusCode Status, string? Id)> PutConditionalAsync(HttpClient client, string mrn, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}")
        {
            Content = FhirHttp.JsonBody(Patients.WithMrn(mrn)),
        };
        using var response = await client.SendAsync(request, cancellationToken);
        return (response.StatusCode, await IdOfAsync(response));
    }

    private static async Task<(HttpStatusCode Status, string? Id)> PostIfNoneExistAsync(HttpClient client, string mrn, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn(mrn)) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", $"identifier={Clinical.MrnSystem}|{mrn}");
        using var response = await client.SendAsync(request, cancellationToken);
        return (response.StatusCode, await IdOfAsync(response));
    }

    /// <summary>A transaction (or batch) of one POST with ifNoneExist; its entry's status and id stand for the writer's answer.</summary>
    private static async Task<(HttpStatusCode Status, string? Id)> TransactionIfNoneExistAsync(
        HttpClient client,
        string mrn,
        CancellationToken cancellationToken,
        Bundle.BundleType type = Bundle.BundleType.Transaction)
    {
        var bundle = new BundleBuilder(type)
            .Post(Patients.WithMrn(mrn), BundleBuilder.NewUrn(), ifNoneExist: $"identifier={Clinical.MrnSystem}|{mrn}")
            .Bundle;
        return await EntryAsync(client, bundle, cancellationToken);
    }

    /// <summary>A Bundle of one entry; the entry's status and id stand for the writer's answer.</summary>
    private static async Task<(HttpStatusCode Status, string? Id)> EntryAsync(HttpClient client, Bundle bundle, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = FhirHttp.JsonBody(bundle) };
        using var response = await client.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null);
        }

        var entry = Assert.Single((await response.ReadAsAsync<Bundle>()).Entry).Response!;
        var status = entry.Status switch
        {
            "201 Created" => HttpStatusCode.Created,
            "200 OK" => HttpStatusCode.OK,
            _ => HttpStatusCode.InternalServerError,
        };
        return (status, BundleHttp.IdFromLocation(entry.Location));
    }

    private static Patient FemalePatient(string mrn)
    {
        var patient = Patients.WithMrn(mrn);
        patient.Gender = AdministrativeGender.Female;
        return patient;
    }

    /// <summary>Runs <see cref="Writers"/> writers released together; returns each one's status and resource id.</summary>
    private async Task<(HttpStatusCode Status, string? Id)[]> RaceAsync(
        Func<HttpClient, int, CancellationToken, Task<(HttpStatusCode, string?)>> writer)
    {
        using var limit = new CancellationTokenSource(RoundLimit);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clients = Enumerable.Range(0, Writers).Select(_ => _app.CreateClient()).ToList();
        var racers = clients.Select(async (client, i) =>
        {
            await gate.Task;
            return await writer(client, i, limit.Token);
        }).ToList();
        gate.SetResult();
        var answers = await Task.WhenAll(racers);
        clients.ForEach(c => c.Dispose());
        return answers;
    }

    /// <summary>Exactly one resource carries the MRN, one writer created it, and every writer named it.</summary>
    private async Task<string> AssertOneResourceAsync(string mrn, (HttpStatusCode Status, string? Id)[] answers)
    {
        var stored = await _app.CreateClient().SearchAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}&_count=100");
        Assert.True(stored.Entry.Count == 1, $"{stored.Entry.Count} resources carry the MRN");
        var resource = stored.Entry[0].Resource!;
        var id = Assert.IsType<string>(resource.Id);
        Assert.All(answers, a => Assert.True(
            a.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"a writer was answered {(int)a.Status}"));
        Assert.Equal(1, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.All(answers, a => Assert.Equal(id, a.Id));
        return id;
    }

    private static async Task<string?> IdOfAsync(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK
            ? (await response.ReadAsAsync<Patient>()).Id
            : null;

    public void Dispose() => _app.Dispose();
}
