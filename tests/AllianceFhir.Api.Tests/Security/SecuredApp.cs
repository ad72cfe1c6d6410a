using System.Net.Http.Headers;
using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>The real application protected by an <see cref="IdentityProvider"/> stand-in; one per test class.</summary>
public sealed class SecuredApp : IDisposable
{
    public const string FullAccess = "system/*.*";

    public SecuredApp()
    {
        Idp = new IdentityProvider();
        App = Idp.Protect(new FhirApplication());
    }

    public IdentityProvider Idp { get; }

    public FhirApplication App { get; }

    /// <summary>A client that sends this token (null: none).</summary>
    public HttpClient Client(string? token)
    {
        var client = App.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public HttpClient ClientWithScopes(string scopes) => Client(Idp.Token(scopes));

    public void Dispose()
    {
        App.Dispose();
        Idp.Dispose();
    }
}
