using System.Globalization;
using System.Threading.RateLimiting;
using AllianceFhir.Api.Http;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Security;

/// <summary>
/// A fixed window of requests per client and tenant (from the token), so one misbehaving integration cannot starve
/// the others. Anonymous requests (the CapabilityStatement) are counted per remote address; the open Development user
/// is not limited.
/// </summary>
public sealed class ClientRateLimiting(IOptions<RateLimitSettings> settings) : IConfigureOptions<RateLimiterOptions>
{
    public void Configure(RateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limit = settings.Value;
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, PartitionKey>(http =>
        {
            if (!http.Request.Path.StartsWithSegments(FhirUrls.BasePath))
            {
                return RateLimitPartition.GetNoLimiter(default(PartitionKey));
            }

            var caller = http.FindAccessContext();
            if (caller?.IsDevelopmentUser == true)
            {
                return RateLimitPartition.GetNoLimiter(new PartitionKey(PartitionKind.Development, null, null));
            }

            var key = caller is null
                ? new PartitionKey(PartitionKind.Address, http.Connection.RemoteIpAddress?.ToString(), null)
                : new PartitionKey(PartitionKind.Client, caller.ClientId ?? caller.Subject, caller.Tenant);
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.PermitLimit,
                Window = TimeSpan.FromSeconds(limit.WindowSeconds),
                QueueLimit = 0,
            });
        });
        options.OnRejected = RejectAsync;
    }

    private enum PartitionKind
    {
        None,
        Development,
        Address,
        Client,
    }

    /// <summary>A value, not an interpolated string: the key is built for every request (docs/performance.md).</summary>
    private readonly record struct PartitionKey(PartitionKind Kind, string? Caller, string? Tenant);

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var outcome = Outcomes.Create(
            OperationOutcome.IssueSeverity.Error,
            OperationOutcome.IssueType.Throttled,
            $"Too many requests from this client; try again in {seconds} s");
        await FhirResponse.Of(outcome, StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
    }
}
