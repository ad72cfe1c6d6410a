using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// Validates a Subscription and compiles it: the R4 rest-hook channel (subscription.html) and the Subscriptions R5
/// Backport IG's topic-based form for the one topic this server offers. Every refusal is a 422 naming the element, so
/// a create or update is refused before anything is written.
/// </summary>
/// <param name="publicBase">
/// <c>Fhir:PublicBaseUrl</c> (<see cref="ServiceBase.None"/> when not configured). Criteria are matched in other requests'
/// commits and in background loads of the cache, never in the request that wrote them, so the base their reference
/// values are read with (an absolute URL under it searches as its relative form, as in a search) cannot be "the current
/// request's": it is the configured public base when there is one, which every request uses too, else the base the
/// Subscription was written at, which the write hook records in <see cref="BackportUrls.ServiceBase"/>. The same rule as
/// an <c>$import</c> job, which keeps the base of the request that started it; a Subscription stored before the base was
/// recorded has only relative references local.
/// </param>
public sealed class SubscriptionReader(SearchParameterRegistry registry, TimeProvider clock, ServiceBase publicBase)
{
    private static readonly HashSet<string> Payloads = new(StringComparer.Ordinal) { "application/fhir+json", "application/fhir+xml" };

    /// <summary>Headers the server itself sets on a notification; a subscription may not override them.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase) { "Content-Type", "Content-Length", "Host", "Transfer-Encoding" };

    /// <summary>Types a criteria subscription may not watch: the server's own bookkeeping.</summary>
    private static readonly HashSet<string> Unwatchable = new(StringComparer.Ordinal) { nameof(Subscription) };

    public LiveSubscription Read(string tenant, Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (subscription.Status is null)
        {
            throw Invalid(OperationOutcome.IssueType.Required, "Subscription.status is required", "Subscription.status");
        }

        var channel = subscription.Channel ?? throw Invalid(OperationOutcome.IssueType.Required, "Subscription.channel is required", "Subscription.channel");
        if (channel.Type != Subscription.SubscriptionChannelType.RestHook)
        {
            throw Invalid(
                OperationOutcome.IssueType.NotSupported,
                $"This server delivers only rest-hook notifications, not '{channel.TypeElement?.JsonValue ?? "(none)"}'",
                "Subscription.channel.type");
        }

        var endpoint = Endpoint(channel.Endpoint);
        var headers = Headers(channel.Header);
        var payload = string.IsNullOrEmpty(channel.Payload) ? null : channel.Payload;
        if (payload is not null && !Payloads.Contains(payload))
        {
            throw Invalid(
                OperationOutcome.IssueType.NotSupported,
                $"Subscription.channel.payload '{payload}' is not offered: leave it out (a ping), or use application/fhir+json or application/fhir+xml",
                "Subscription.channel.payload");
        }

        var criteria = subscription.Criteria;
        if (string.IsNullOrWhiteSpace(criteria))
        {
            throw Invalid(OperationOutcome.IssueType.Required, "Subscription.criteria is required", "Subscription.criteria");
        }

        var serviceBase = publicBase.Url is not null ? publicBase : ServiceBase.Of(subscription.GetExtensionValue<FhirUrl>(BackportUrls.ServiceBase)?.Value);
        var owner = subscription.GetExtensionValue<ResourceReference>(BackportUrls.OwnerPatient)?.Reference is { } reference
            && reference.StartsWith("Patient/", StringComparison.Ordinal) ? reference["Patient/".Length..] : null;

        if (criteria.StartsWith("http://", StringComparison.Ordinal) || criteria.StartsWith("https://", StringComparison.Ordinal))
        {
            return ReadTopic(tenant, subscription, channel, endpoint, headers, payload, owner, serviceBase);
        }

        var matcher = Criteria(criteria, "Subscription.criteria", allowedType: null, serviceBase);
        return new LiveSubscription(
            tenant,
            subscription.Id ?? string.Empty,
            subscription.Status.Value,
            endpoint,
            headers,
            payload,
            payload is null ? NotificationContent.Empty : NotificationContent.FullResource,
            Topic: null,
            matcher,
            owner,
            Heartbeat: null,
            Timeout: null);
    }

    private LiveSubscription ReadTopic(
        string tenant,
        Subscription subscription,
        Subscription.ChannelComponent channel,
        Uri endpoint,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        string? payload,
        string? owner,
        ServiceBase serviceBase)
    {
        var topic = subscription.Criteria;
        if (topic != BackportUrls.ResponseCompletedTopic)
        {
            throw Invalid(
                OperationOutcome.IssueType.NotSupported,
                $"The subscription topic '{topic}' is not offered by this server; the one topic is {BackportUrls.ResponseCompletedTopic}",
                "Subscription.criteria");
        }

        if (payload is null)
        {
            throw Invalid(
                OperationOutcome.IssueType.Required,
                "A topic-based subscription needs Subscription.channel.payload (application/fhir+json or application/fhir+xml): notifications are Bundles",
                "Subscription.channel.payload");
        }

        var contentCode = channel.PayloadElement?.GetExtensionValue<Code>(BackportUrls.PayloadContent)?.Value ?? "id-only";
        var content = contentCode switch
        {
            "empty" => NotificationContent.Empty,
            "id-only" => NotificationContent.IdOnly,
            "full-resource" => NotificationContent.FullResource,
            _ => throw Invalid(
                OperationOutcome.IssueType.Value,
                $"The payload content '{contentCode}' is not one of empty, id-only, full-resource",
                "Subscription.channel.payload.extension('" + BackportUrls.PayloadContent + "')"),
        };

        // Several filters AND together, as the parameters of one search do.
        var filters = subscription.CriteriaElement?.Extension.Where(e => e.Url == BackportUrls.FilterCriteria)
            .Select(e => (e.Value as FhirString)?.Value).ToList() ?? [];
        if (filters.Any(f => string.IsNullOrWhiteSpace(f)))
        {
            throw Invalid(OperationOutcome.IssueType.Value, "A backport filter criteria extension needs a valueString", "Subscription.criteria.extension");
        }

        var query = filters.Count == 0 ? nameof(QuestionnaireResponse) : $"{nameof(QuestionnaireResponse)}?" + string.Join('&', filters.Select(f => f!.Contains('?', StringComparison.Ordinal) ? f[(f.IndexOf('?', StringComparison.Ordinal) + 1)..] : f));
        foreach (var filter in filters.Where(f => f!.Contains('?', StringComparison.Ordinal)))
        {
            if (!filter!.StartsWith(nameof(QuestionnaireResponse) + "?", StringComparison.Ordinal))
            {
                throw Invalid(
                    OperationOutcome.IssueType.NotSupported,
                    $"The topic's filters apply to QuestionnaireResponse, not '{filter[..filter.IndexOf('?', StringComparison.Ordinal)]}'",
                    "Subscription.criteria.extension");
            }
        }

        var matcher = Criteria(query, "Subscription.criteria.extension", nameof(QuestionnaireResponse), serviceBase);
        return new LiveSubscription(
            tenant,
            subscription.Id ?? string.Empty,
            subscription.Status!.Value,
            endpoint,
            headers,
            payload,
            content,
            topic,
            matcher,
            owner,
            Seconds(channel, BackportUrls.HeartbeatPeriod),
            Seconds(channel, BackportUrls.Timeout));
    }

    private CriteriaMatcher Criteria(string criteria, string expression, string? allowedType, ServiceBase serviceBase)
    {
        var question = criteria.IndexOf('?', StringComparison.Ordinal);
        var type = question < 0 ? criteria : criteria[..question];
        var query = question < 0 ? string.Empty : criteria[(question + 1)..];
        if (!SupportedResourceTypes.IsSupported(type) || Unwatchable.Contains(type) || (allowedType is not null && type != allowedType))
        {
            throw Invalid(
                OperationOutcome.IssueType.NotSupported,
                $"The criteria must search a resource type this server stores (not Subscription), as [type]?[parameters]; '{type}' is not one",
                expression);
        }

        SearchQuery parsed;
        try
        {
            parsed = new SearchQueryParser(registry, serviceBase).Parse(type, QueryParameters.Parse(query));
        }
        catch (FhirOperationException ex)
        {
            throw Invalid(OperationOutcome.IssueType.Invalid, $"The criteria are not a valid search: {ex.Message}", expression);
        }

        if (parsed.Ignored.Count > 0)
        {
            var first = parsed.Ignored[0];
            throw Invalid(
                OperationOutcome.IssueType.NotSupported,
                $"The criteria parameter '{first.Name}' cannot be applied: {first.Reason}",
                expression);
        }

        var result = QueryParameters.Parse(query).Select(p => p.Key).FirstOrDefault(k => ResultParameters.Contains(k.Split(':')[0]) && !ResultParameters.Format.Contains(k));
        if (result is not null)
        {
            throw Invalid(OperationOutcome.IssueType.NotSupported, $"The criteria may only select resources; '{result}' shapes a search result", expression);
        }

        var matcher = CriteriaMatcher.Compile(parsed, () => clock.GetUtcNow().UtcDateTime, out var refusal);
        return refusal is null ? matcher : throw Invalid(OperationOutcome.IssueType.NotSupported, $"The criteria cannot be matched: {refusal}", expression);
    }

    private static Uri Endpoint(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            throw Invalid(OperationOutcome.IssueType.Required, "A rest-hook subscription needs Subscription.channel.endpoint", "Subscription.channel.endpoint");
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid(
                OperationOutcome.IssueType.Value,
                $"Subscription.channel.endpoint '{endpoint}' is not an absolute http or https URL",
                "Subscription.channel.endpoint");
        }

        return uri;
    }

    private static List<KeyValuePair<string, string>> Headers(IEnumerable<string?>? headers)
    {
        var list = new List<KeyValuePair<string, string>>();
        var index = 0;
        foreach (var header in headers ?? [])
        {
            var colon = header?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            var name = colon > 0 ? header![..colon].Trim() : string.Empty;
            var value = colon > 0 ? header![(colon + 1)..].Trim() : string.Empty;
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal))
                || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                throw Invalid(OperationOutcome.IssueType.Value, "Each Subscription.channel.header must be 'Name: value' with a valid header name", $"Subscription.channel.header[{index}]");
            }

            if (ReservedHeaders.Contains(name))
            {
                throw Invalid(OperationOutcome.IssueType.Value, $"The header '{name}' is set by the server and cannot be given in Subscription.channel.header", $"Subscription.channel.header[{index}]");
            }

            list.Add(new(name, value));
            index++;
        }

        return list;
    }

    private static TimeSpan? Seconds(Subscription.ChannelComponent channel, string url) =>
        channel.GetExtensionValue<UnsignedInt>(url)?.Value is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : null;

    private static FhirOperationException Invalid(OperationOutcome.IssueType code, string diagnostics, string expression) =>
        FhirOperationException.Of(HttpStatusCode.UnprocessableEntity, code, diagnostics, expression);
}
