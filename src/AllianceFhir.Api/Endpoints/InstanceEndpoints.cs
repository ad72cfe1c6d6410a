using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Endpoints;

/// <summary>create, read, vread, update, delete and their conditional forms, for one resource type.</summary>
public static class InstanceEndpoints
{
    public static void MapInstanceInteractions(this RouteGroupBuilder group, string type)
    {
        group.MapGet("/{id}", (string id, HttpContext http, ResourceReads reads, CancellationToken ct) =>
                ReadAsync(type, id, http, reads, ct))
            .WithName($"read-{type}")
            .WithSummary($"Read the current version of a {type}")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status304NotModified, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);

        group.MapGet("/{id}/_history/{vid}", (string id, string vid, ResourceReads reads, CancellationToken ct) =>
                VReadAsync(type, id, vid, reads, ct))
            .WithName($"vread-{type}")
            .WithSummary($"Read one version of a {type}")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);

        // AuditEvents are the server's record: readable, never written through the API (the fallback answers 405).
        if (!AuditEventWrites.AcceptsWrites(type))
        {
            return;
        }

        group.MapPost("/", (HttpContext http, ResourceService service, FhirRequestReader reader, CancellationToken ct) =>
                CreateAsync(type, http, service, reader, ct))
            .WithName($"create-{type}")
            .WithSummary($"Create a {type}")
            .WithDescription("The server assigns the id. Send If-None-Exist with a search to create only when nothing matches.")
            .WithMetadata(new FhirBodyMetadata(type))
            .ProducesFhir(StatusCodes.Status201Created, StatusCodes.Status200OK, StatusCodes.Status400BadRequest,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType,
                StatusCodes.Status422UnprocessableEntity);

        group.MapPut("/{id}", (string id, HttpContext http, ResourceService service, FhirRequestReader reader, CancellationToken ct) =>
                UpdateAsync(type, id, http, service, reader, ct))
            .WithName($"update-{type}")
            .WithSummary($"Update a {type} (or create it with this id)")
            .WithDescription("The body must carry the same id as the URL. Send If-Match: W/\"version\" to update only that version, If-None-Match: * to create only.")
            .WithMetadata(new FhirBodyMetadata(type))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status201Created, StatusCodes.Status400BadRequest,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        group.MapPut("/", (HttpContext http, ResourceService service, FhirRequestReader reader, CancellationToken ct) =>
                ConditionalUpdateAsync(type, http, service, reader, ct))
            .WithName($"conditional-update-{type}")
            .WithSummary($"Update the {type} that matches the search in the query string")
            .WithMetadata(new FhirBodyMetadata(type), new FhirSearchMetadata(type, ConditionalWrite: true))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status201Created, StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed);

        group.MapDelete("/{id}", (string id, HttpContext http, ResourceService service, CancellationToken ct) =>
                DeleteAsync(type, id, http, service, ct))
            .WithName($"delete-{type}")
            .WithSummary($"Delete a {type} (history keeps every version)")
            .ProducesFhir(StatusCodes.Status204NoContent, StatusCodes.Status200OK, StatusCodes.Status412PreconditionFailed);

        group.MapDelete("/", (HttpContext http, ResourceService service, CancellationToken ct) =>
                ConditionalDeleteAsync(type, http, service, ct))
            .WithName($"conditional-delete-{type}")
            .WithSummary($"Delete the {type} that matches the search in the query string (none matching deletes nothing; several: 412)")
            .WithMetadata(new FhirSearchMetadata(type, ConditionalWrite: true))
            .ProducesFhir(StatusCodes.Status204NoContent, StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed);
    }

    public static async Task<IResult> CreateAsync(
        string type,
        HttpContext http,
        ResourceService service,
        FhirRequestReader reader,
        CancellationToken ct)
    {
        var resource = await reader.ReadResourceAsync(http.Request, ct);
        EnsureType(type, resource);
        http.DemandWritable(Permissions.Create, resource);

        // The id of a created resource is the server's; the spec says a client-sent one is ignored.
        resource.Id = null;
        var ifNoneExist = http.Request.Headers["If-None-Exist"].ToString();
        var result = await service.CreateAsync(resource, ifNoneExist, ct);
        return WriteResponse(http, result, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public static async Task<IResult> ReadAsync(string type, string id, HttpContext http, ResourceReads reads, CancellationToken ct)
    {
        var ifNoneMatch = ETags.ParseList(http.Request.Headers.IfNoneMatch.ToString(), "If-None-Match");
        var version = await reads.ReadAsync(type, id, ct);
        return Preconditions.IsNotModified(version, ifNoneMatch, http.Request.GetTypedHeaders().IfModifiedSince)
            ? NotModified(version)
            : FhirResponse.Stored(version);
    }

    public static async Task<IResult> VReadAsync(string type, string id, string vid, ResourceReads reads, CancellationToken ct)
    {
        if (!int.TryParse(vid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var versionId))
        {
            throw FhirOperationException.NotFound($"{type}/{id} has no version '{vid}'");
        }

        return FhirResponse.Stored(await reads.VReadAsync(type, id, versionId, ct));
    }

    public static async Task<IResult> UpdateAsync(
        string type,
        string id,
        HttpContext http,
        ResourceService service,
        FhirRequestReader reader,
        CancellationToken ct)
    {
        var resource = await reader.ReadResourceAsync(http.Request, ct);
        var ifMatch = ETags.ParseIfMatch(http.Request.Headers.IfMatch.ToString(), "If-Match");
        var ifNoneMatch = ETags.ParseList(http.Request.Headers.IfNoneMatch.ToString(), "If-None-Match");
        http.DemandWritable(Permissions.Update, resource);
        var result = await service.UpdateAsync(type, id, resource, ifMatch, ifNoneMatch, ct);
        return WriteResponse(http, result, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public static async Task<IResult> ConditionalUpdateAsync(
        string type,
        HttpContext http,
        ResourceService service,
        FhirRequestReader reader,
        CancellationToken ct)
    {
        var query = SearchQueryString(http.Request);
        if (query.Length == 0)
        {
            throw FhirOperationException.BadRequest("PUT on a resource type needs a search in the query string (conditional update) or an id in the URL");
        }

        var resource = await reader.ReadResourceAsync(http.Request, ct);
        var result = await service.ConditionalUpdateAsync(type, query, resource, ct);
        return WriteResponse(http, result, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public static async Task<IResult> DeleteAsync(string type, string id, HttpContext http, ResourceService service, CancellationToken ct)
    {
        var ifMatch = ETags.ParseIfMatch(http.Request.Headers.IfMatch.ToString(), "If-Match");
        var version = await service.DeleteAsync(type, id, ifMatch, ct);
        var response = FhirResponse.Empty(StatusCodes.Status204NoContent);
        if (version is not null)
        {
            response.VersionHeaders = version;
        }

        if (PreferHeader.Return(http.Request) == PreferReturn.OperationOutcome)
        {
            var outcome = FhirResponse.Of(Outcomes.Information($"{type}/{id} is deleted"));
            outcome.VersionHeaders = version;
            return outcome;
        }

        return response;
    }

    public static async Task<IResult> ConditionalDeleteAsync(string type, HttpContext http, ResourceService service, CancellationToken ct)
    {
        var query = SearchQueryString(http.Request);
        if (query.Length == 0)
        {
            throw FhirOperationException.BadRequest("DELETE on a resource type needs a search in the query string (conditional delete) or an id in the URL");
        }

        var version = await service.ConditionalDeleteAsync(type, query, ct);
        if (PreferHeader.Return(http.Request) == PreferReturn.OperationOutcome)
        {
            var outcome = FhirResponse.Of(Outcomes.Information(version is null
                ? $"No {type} matched the condition; nothing was deleted"
                : $"{type}/{version.Id} is deleted"));
            outcome.VersionHeaders = version;
            return outcome;
        }

        var response = FhirResponse.Empty(StatusCodes.Status204NoContent);
        response.VersionHeaders = version;
        return response;
    }

    /// <summary>The 201/200 answer of a write, shaped by <c>Prefer: return</c>.</summary>
    public static IResult WriteResponse(HttpContext http, WriteResult result, int status)
    {
        var v = result.Version;
        FhirResponse response = PreferHeader.Return(http.Request) switch
        {
            PreferReturn.Minimal => FhirResponse.Empty(status),
            PreferReturn.OperationOutcome => FhirResponse.Of(
                Outcomes.Information(result.Created ? $"Created {v.ResourceType}/{v.Id}" : $"{v.ResourceType}/{v.Id} is at version {v.VersionId}"),
                status),
            _ => FhirResponse.Stored(v, status),
        };
        response.VersionHeaders = v;
        response.Location = FhirUrls.Version(http.Request, v.ResourceType, v.Id, v.VersionId);
        return response;
    }

    /// <summary>The query string minus the parameters that only shape the response.</summary>
    public static string SearchQueryString(HttpRequest request) =>
        string.Join('&', request.Query
            .Where(q => !ResultParameters.Representation.Contains(q.Key))
            .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? string.Empty)}")));

    private static FhirResponse NotModified(ResourceVersion version)
    {
        var response = FhirResponse.Empty(StatusCodes.Status304NotModified);
        response.VersionHeaders = version;
        return response;
    }

    private static void EnsureType(string type, Resource resource)
    {
        if (resource.TypeName != type)
        {
            throw FhirOperationException.BadRequest($"The body is a {resource.TypeName}, but the URL is for {type}", "resourceType");
        }
    }
}
