using AllianceFhir.Api.Http;
using AllianceFhir.Core.Resources;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Routing;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// Builds the CapabilityStatement from what is registered: the routes that exist decide the interactions, and the
/// search-parameter registry decides the search parameters. Nothing here is a hand-kept list of claims.
/// </summary>
public sealed class CapabilityStatementFactory(
    EndpointDataSource endpoints,
    ICapabilityContributor[] contributors,
    IEnumerable<ICapabilityRestContributor> restContributors)
{
    /// <summary>The statement with what the rest-level contributors add (security).</summary>
    public async Task<CapabilityStatement> BuildAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var statement = Build(request);
        foreach (var contributor in restContributors)
        {
            await contributor.ContributeAsync(statement.Rest[0], request, cancellationToken);
        }

        return statement;
    }

    public CapabilityStatement Build(HttpRequest request)
    {
        var routes = endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Pattern: e.RoutePattern.RawText ?? string.Empty, Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []))
            .ToList();

        bool Has(string method, string pattern) =>
            routes.Any(r => r.Methods.Contains(method) && string.Equals(r.Pattern.TrimEnd('/'), pattern, StringComparison.Ordinal));

        var rest = new CapabilityStatement.RestComponent { Mode = CapabilityStatement.RestfulCapabilityMode.Server };
        foreach (var type in SupportedResourceTypes.All)
        {
            var prefix = $"{FhirUrls.BasePath}/{type}";
            var component = new CapabilityStatement.ResourceComponent
            {
                Type = type,
                Versioning = CapabilityStatement.ResourceVersionPolicy.VersionedUpdate,
                ReadHistory = Has("GET", $"{prefix}/{{id}}/_history/{{vid}}"),
                UpdateCreate = Has("PUT", $"{prefix}/{{id}}"),
                ConditionalCreate = Has("POST", prefix),
                ConditionalUpdate = Has("PUT", prefix),
                // One resource at a time, by REST (DELETE [type]?query) and in Bundles alike: several matches are a 412.
                ConditionalDelete = Has("DELETE", prefix)
                    ? CapabilityStatement.ConditionalDeleteStatus.Single
                    : CapabilityStatement.ConditionalDeleteStatus.NotSupported,
                // The read honours both If-None-Match and If-Modified-Since (InstanceEndpoints.ReadAsync).
                ConditionalRead = Has("GET", $"{prefix}/{{id}}")
                    ? CapabilityStatement.ConditionalReadStatus.FullSupport
                    : CapabilityStatement.ConditionalReadStatus.NotSupported,
            };
            AddInteraction(component, Has("GET", $"{prefix}/{{id}}"), CapabilityStatement.TypeRestfulInteraction.Read);
            AddInteraction(component, Has("GET", $"{prefix}/{{id}}/_history/{{vid}}"), CapabilityStatement.TypeRestfulInteraction.Vread);
            AddInteraction(component, Has("PUT", $"{prefix}/{{id}}"), CapabilityStatement.TypeRestfulInteraction.Update);
            AddInteraction(component, Has("DELETE", $"{prefix}/{{id}}"), CapabilityStatement.TypeRestfulInteraction.Delete);
            AddInteraction(component, Has("GET", $"{prefix}/{{id}}/_history"), CapabilityStatement.TypeRestfulInteraction.HistoryInstance);
            AddInteraction(component, Has("GET", $"{prefix}/_history"), CapabilityStatement.TypeRestfulInteraction.HistoryType);
            AddInteraction(component, Has("POST", prefix), CapabilityStatement.TypeRestfulInteraction.Create);
            AddInteraction(component, Has("GET", prefix), CapabilityStatement.TypeRestfulInteraction.SearchType);
            foreach (var contributor in contributors)
            {
                contributor.Contribute(component);
            }

            rest.Resource.Add(component);
        }

        if (Has("GET", $"{FhirUrls.BasePath}/_history"))
        {
            rest.Interaction.Add(new CapabilityStatement.SystemInteractionComponent
            {
                Code = CapabilityStatement.SystemRestfulInteraction.HistorySystem,
            });
        }

        if (Has("POST", FhirUrls.BasePath))
        {
            rest.Interaction.Add(new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction });
            rest.Interaction.Add(new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Batch });
        }

        return new CapabilityStatement
        {
            Url = $"{FhirUrls.Base(request)}/metadata",
            Name = "AllianceFhir",
            Title = "AllianceFhir — therapeutic alliance questionnaires over FHIR R4",
            Status = PublicationStatus.Active,
            Date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Publisher = "AllianceFhir",
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent
            {
                Name = "AllianceFhir",
                Version = typeof(CapabilityStatementFactory).Assembly.GetName().Version?.ToString(),
            },
            Implementation = new CapabilityStatement.ImplementationComponent
            {
                Description = "AllianceFhir server",
                Url = FhirUrls.Base(request),
            },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["json", "xml", FhirMediaTypes.Json, FhirMediaTypes.Xml],
            Rest = [rest],
        };
    }

    private static void AddInteraction(CapabilityStatement.ResourceComponent component, bool present, CapabilityStatement.TypeRestfulInteraction code)
    {
        if (present)
        {
            component.Interaction.Add(new CapabilityStatement.ResourceInteractionComponent { Code = code });
        }
    }
}

/// <summary>Adds to a resource type's entry what a feature registers (search parameters, operations).</summary>
public interface ICapabilityContributor
{
    void Contribute(CapabilityStatement.ResourceComponent resource);
}

/// <summary>Adds to the <c>rest</c> entry what a feature decides at request time (security, from the authorization server).</summary>
public interface ICapabilityRestContributor
{
    ValueTask ContributeAsync(CapabilityStatement.RestComponent rest, HttpRequest request, CancellationToken cancellationToken);
}
