using System.Data;
using System.Net;
using System.Runtime.CompilerServices;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Export;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Storage.Entities;
using AllianceFhir.Storage.Search;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Export;

/// <summary>
/// Export pages as single queries over the current rows of one type, in surrogate order after the page cursor (the
/// type's (tenant, type, surrogate) index), filtered by the search engine's own criterion translation, so a
/// <c>_typeFilter</c> or a scope's restriction matches exactly what the same search would. Each page is one statement:
/// SQLite's WAL readers and SQL Server's row versioning give it a consistent view without blocking writers, and the
/// transactionTime bound (<c>LastUpdated &lt;= until</c>) keeps later writes out of the whole export.
/// </summary>
internal sealed class EfExportSource(FhirDbContext db, TimeProvider clock) : IExportSource
{
    private const string MemberParameter = "member";

    public async IAsyncEnumerable<ExportRow> ReadPageAsync(string tenant, ExportPage page, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = new TenantRows(tenant);
        var translator = new CriterionTranslator(db, rows, clock.GetUtcNow().UtcDateTime);
        IReadOnlyList<string> types = [page.ResourceType];
        var until = page.Until.UtcDateTime;
        var after = page.After;
        var query = translator.CurrentRows(types).Where(r => r.LastUpdated <= until && r.Surrogate > after);
        if (page.Since is { } sinceAt)
        {
            var since = sinceAt.UtcDateTime;
            query = query.Where(r => r.LastUpdated > since);
        }

        query = Matching(translator, types, query, page.Alternatives);
        query = await InCompartmentAsync(rows, query, page, cancellationToken);

        // EF writes the statement (the criterion translation stays in one home); the rows are streamed from the provider's
        // own reader, so no string is made per resource and memory does not depend on the page size (docs/performance.md,
        // "Bulk export, 1M resources").
        await using var command = query
            .OrderBy(r => r.Surrogate)
            .Take(page.Size)
            .Select(r => new { r.Surrogate, r.Json })
            .CreateDbCommand();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            var json = new StoredJsonReader(reader);
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return new ExportRow(reader.GetInt64(0), json.Read(1));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>One alternative filters the rows directly; several (OR-ed _typeFilters) each become a surrogate set.</summary>
    private static IQueryable<ResourceEntity> Matching(
        CriterionTranslator translator, IReadOnlyList<string> types, IQueryable<ResourceEntity> query, IReadOnlyList<IReadOnlyList<SearchCriterion>> alternatives)
    {
        if (alternatives.Count == 1)
        {
            return translator.Filter(query, types, alternatives[0], walk: true);
        }

        var sets = alternatives.Select(a => translator.Filter(translator.CurrentRows(types), types, a).Select(r => r.Surrogate)).ToList();
        var union = sets.Skip(1).Aggregate(sets[0], (all, next) => all.Union(next));
        return query.Where(r => union.Contains(r.Surrogate));
    }

    /// <summary>
    /// The Patient compartment (R4 CompartmentDefinition, as <see cref="PatientCompartment"/> lists it): a Patient is
    /// its own member; any other type through a membership parameter referring to a Patient (for a Group export, to one
    /// of the group's current members).
    /// </summary>
    private async Task<IQueryable<ResourceEntity>> InCompartmentAsync(TenantRows rows, IQueryable<ResourceEntity> query, ExportPage page, CancellationToken cancellationToken)
    {
        if (page.Compartment == ExportCompartment.None)
        {
            return query;
        }

        var type = page.ResourceType;
        var keys = PatientCompartment.ParametersOf(type).Select(p => ParamKeys.Of(rows.Tenant, type, p)).ToList();
        var patient = nameof(Patient);
        var refs = db.ReferenceIndex.AsNoTracking();
        if (page.Compartment == ExportCompartment.AllPatients)
        {
            return type == patient
                ? query
                : query.Where(r => refs.Any(x => x.ResourceSurrogate == r.Surrogate && keys.Contains(x.ParamKey) && x.TargetType == patient));
        }

        var group = await GroupSurrogateAsync(rows.Tenant, page.GroupId!, cancellationToken);
        var memberKey = ParamKeys.Of(rows.Tenant, nameof(Group), MemberParameter);
        var members = refs.Where(g => g.ResourceSurrogate == group && g.ParamKey == memberKey && g.TargetType == patient).Select(g => g.TargetId);
        return type == patient
            ? query.Where(r => members.Contains(r.ResourceId)
                || refs.Any(x => x.ResourceSurrogate == r.Surrogate && keys.Contains(x.ParamKey) && x.TargetType == patient && members.Contains(x.TargetId)))
            : query.Where(r => refs.Any(x => x.ResourceSurrogate == r.Surrogate && keys.Contains(x.ParamKey) && x.TargetType == patient && members.Contains(x.TargetId)));
    }

    private async Task<long> GroupSurrogateAsync(string tenant, string groupId, CancellationToken cancellationToken)
    {
        var group = nameof(Group);
        var surrogate = await db.Resources.AsNoTracking()
            .Where(r => r.TenantId == tenant && r.ResourceType == group && r.ResourceId == groupId && !r.IsHistory && !r.IsDeleted)
            .Select(r => (long?)r.Surrogate)
            .FirstOrDefaultAsync(cancellationToken);
        return surrogate ?? throw FhirOperationException.Of(HttpStatusCode.Gone, OperationOutcome.IssueType.Deleted,
            $"Group/{groupId} was deleted while it was being exported");
    }
}
