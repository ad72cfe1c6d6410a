using System.Net;
using System.Net.Http.Headers;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Security;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>
/// Subscribing needs the Subscription write scope and read access to what is subscribed to; notifications never carry
/// another clinic's data, and a creator limited to one patient hears only of that patient's compartment.
/// </summary>
public sealed class SubscriptionSecurityTests : IDisposable
{
    private readonly IdentityProvider _idp = new();
    private readonly FhirApplication _app;
    private readonly Receiver _receiver = new();

    public SubscriptionSecurityTests() => _app = _idp.Protect(new FhirApplication().Fast());

    public void Dispose()
    {
        _app.Dispose();
        _receiver.Dispose();
        _idp.Dispose();
    }

    private HttpClient Client(string scopes, string tenant, string? patient = null)
    {
        var claims = new Dictionary<string, object> { ["tenant"] = tenant };
        if (patient is not null)
        {
            claims["patient"] = patient;
        }

        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _idp.Token(scopes, claims: claims));
        return client;
    }

    [Fact]
    public async Task A_clinic_is_never_told_of_another_clinics_writes()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var (a, b) = (Client(SecuredApp.FullAccess, $"a-{run}"), Client(SecuredApp.FullAccess, $"b-{run}"));
        await SubscribeAsync(a, RestHook($"Observation?code={run}", _receiver.Endpoint));
        _receiver.Clear();

        await CreateAsync(b, Observation(run, 1));
        var own = await CreateAsync(a, Observation(run, 2));

        await _receiver.WaitAsync(r => r.Count >= 1);
        await Task.Delay(300);
        Assert.Equal([$"/hook/Observation/{own}"], _receiver.Puts.Select(p => p.Path));
    }

    [Fact]
    public async Task Subscribing_without_read_access_to_the_criteria_type_is_403_and_stores_nothing()
    {
        var tenant = "c-" + Guid.NewGuid().ToString("N")[..10];
        var client = Client("system/Subscription.cruds system/Patient.rs", tenant);

        using var response = await client.PostAsync("/fhir/Subscription", RestHook("Observation?code=x", _receiver.Endpoint));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var search = await Client(SecuredApp.FullAccess, tenant).GetAsync("/fhir/Subscription");
        Assert.Empty((await search.ReadAsAsync<Bundle>()).Entry);
    }

    [Fact]
    public async Task A_creator_limited_to_one_patient_hears_only_of_that_patients_compartment()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var tenant = "p-" + run;
        var admin = Client(SecuredApp.FullAccess, tenant);
        foreach (var patient in new[] { $"mine-{run}", $"other-{run}" })
        {
            await Patients.StoreAsync(admin, patient);
        }

        var limited = Client("user/Subscription.cruds patient/Observation.rs", tenant, patient: $"mine-{run}");
        var subscription = await SubscribeAsync(limited, RestHook($"Observation?code={run}", _receiver.Endpoint));
        Assert.Equal($"Patient/mine-{run}", subscription.GetExtensionValue<ResourceReference>(BackportUrls.OwnerPatient)?.Reference);
        _receiver.Clear();

        var other = Observation(run, 1);
        other.Subject = new ResourceReference($"Patient/other-{run}");
        await CreateAsync(admin, other);
        var mine = Observation(run, 2);
        mine.Subject = new ResourceReference($"Patient/mine-{run}");
        var mineId = await CreateAsync(admin, mine);

        await _receiver.WaitAsync(r => r.Count >= 1);
        await Task.Delay(300);
        Assert.Equal([$"/hook/Observation/{mineId}"], _receiver.Puts.Select(p => p.Path));
    }
}
