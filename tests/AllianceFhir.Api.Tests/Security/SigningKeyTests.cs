using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>Signing keys come from the IdP's JWKS, cached; each test has its own IdP, since these change or stop it.</summary>
public sealed class SigningKeyTests : IDisposable
{
    private readonly SecuredApp _secured = new();

    [Fact]
    public async Task After_a_key_rotation_the_new_kid_is_fetched_once_and_then_accepted()
    {
        var idp = _secured.Idp;
        using (var before = _secured.ClientWithScopes("user/Patient.rs"))
        {
            Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/fhir/Patient")).StatusCode);
        }

        idp.RotateKey();
        using var after = _secured.ClientWithScopes("user/Patient.rs");

        // The request that first shows the new kid makes the server refetch the JWKS; IdentityModel 8 refetches in the
        // background, so that request is refused and the new key serves the requests after the fetch lands.
        using var first = await after.GetAsync("/fhir/Patient");
        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        var accepted = false;
        for (var attempt = 0; attempt < 50 && !accepted; attempt++)
        {
            await Task.Delay(100);
            using var again = await after.GetAsync("/fhir/Patient");
            accepted = again.StatusCode == HttpStatusCode.OK;
        }

        Assert.True(accepted, "a token signed with the rotated key was still refused 5 s after the refresh");
        Assert.Equal(2, idp.JwksFetches);
    }

    [Fact]
    public async Task Unknown_kids_do_not_make_the_server_hammer_the_idp()
    {
        var idp = _secured.Idp;
        using (var first = _secured.ClientWithScopes("user/Patient.rs"))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/fhir/Patient")).StatusCode);
        }

        for (var i = 0; i < 5; i++)
        {
            using var stranger = _secured.Client(idp.Token("user/Patient.rs", signing: new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = $"unknown-{i}" },
                Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256)));
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/fhir/Patient")).StatusCode);
        }

        // One fetch at start, at most one refresh for the unknown kids: refreshes are at least 5 minutes apart.
        Assert.InRange(idp.JwksFetches, 1, 2);
    }

    [Fact]
    public async Task When_the_idp_goes_down_tokens_still_validate_from_the_cached_keys()
    {
        var idp = _secured.Idp;
        using (var first = _secured.ClientWithScopes("user/Patient.cruds"))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/fhir/Patient")).StatusCode);
        }

        var token = idp.Token("user/Patient.cruds");
        idp.GoDown();
        using var client = _secured.Client(token);

        using var created = await client.PostAsync("/fhir/Patient", Patients.WithMrn("idp-down"));
        using var metadata = await client.GetAsync("/fhir/metadata");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
    }

    public void Dispose() => _secured.Dispose();
}
