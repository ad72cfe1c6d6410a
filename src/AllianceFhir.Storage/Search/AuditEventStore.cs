using System.Linq.Expressions;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// Reads, history and searches of AuditEvent, a virtual type: one tenant's rows of the AuditEvents table, each answered
/// as the resource <see cref="AuditEventFactory"/> builds from it. Searches translate the parameters
/// <see cref="AuditEventSearch"/> allows to the table's columns and its target rows; the parser has already set aside
/// everything else. Default order is write order; <c>_sort=date</c> / <c>_lastUpdated</c> (either direction) order by
/// that time, then write order; pages continue from a keyset cursor, as every other search does.
/// </summary>
internal sealed class AuditEventStore(FhirDbContext db, string tenant, DateTime now)
{
    private IQueryable<AuditEventEntity> Rows => db.AuditEvents.AsNoTracking().Where(a => a.TenantId == tenant);

    public async Task<ResourceVersion?> ReadAsync(string id, CancellationToken ct)
    {
        var row = await Rows.Where(a => a.EventId == id).FirstOrDefaultAsync(ct);
        return row is null ? null : AuditEventRows.ToVersion(row);
    }

    /// <summary>An AuditEvent has one version, 1.</summary>
    public async Task<ResourceVersion?> ReadVersionAsync(string id, int versionId, CancellationToken ct) =>
        versionId == 1 ? await ReadAsync(id, ct) : null;

    /// <summary>Type or instance history: each event once (its one version), newest first, as Resources' history is.</summary>
    public async Task<IReadOnlyList<ResourceVersion>> HistoryAsync(HistoryQuery query, CancellationToken ct)
    {
        var rows = Rows;
        if (query.Id is { } id)
        {
            rows = rows.Where(a => a.EventId == id);
        }

        if (query.Since is DateTimeOffset since)
        {
            var sinceUtc = since.UtcDateTime;
            rows = rows.Where(a => a.LastUpdated >= sinceUtc);
        }

        if (query.Before is long before)
        {
            rows = rows.Where(a => a.Surrogate < before);
        }

        var list = await rows.OrderByDescending(a => a.Surrogate).Take(query.Count).ToListAsync(ct);
        return [.. list.Select(AuditEventRows.ToVersion)];
    }

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct)
    {
        var query = request.Query;
        var matching = Filter(query.Criteria);
        var sort = query.Sort.Count == 0 ? null : query.Sort[0];
        var cursor = request.Cursor is null ? null : SearchCursor.Decode(request.Cursor, sort is null ? 0 : 1);

        int? total = null;
        if (query.Total is TotalMode.Accurate or TotalMode.Estimate || query.Summary == SummaryMode.Count || query.Count == 0)
        {
            total = await matching.CountAsync(ct);
        }

        if (query.Summary == SummaryMode.Count || query.Count == 0)
        {
            return new SearchResult([], [], total, null, null);
        }

        var byLastUpdated = sort?.Parameter.Name == "_lastUpdated";
        var descending = sort?.Descending ?? false;
        var backward = cursor?.Backward ?? false;
        var page = cursor is null ? matching : matching.Where(Beyond(cursor, sort is not null, byLastUpdated, descending));

        // Walking backwards reverses the order, and the page is reversed again once read.
        var reverse = descending != backward;
        IQueryable<AuditEventEntity> ordered = sort is null
            ? (backward ? page.OrderByDescending(a => a.Surrogate) : page.OrderBy(a => a.Surrogate))
            : byLastUpdated
                ? (reverse ? page.OrderByDescending(a => a.LastUpdated).ThenByDescending(a => a.Surrogate) : page.OrderBy(a => a.LastUpdated).ThenBy(a => a.Surrogate))
                : (reverse ? page.OrderByDescending(a => a.Recorded).ThenByDescending(a => a.Surrogate) : page.OrderBy(a => a.Recorded).ThenBy(a => a.Surrogate));
        var rows = await ordered.Take(query.Count + 1).ToListAsync(ct);
        var more = rows.Count > query.Count;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        if (backward)
        {
            rows.Reverse();
        }

        var hasNext = backward || more;
        var hasPrevious = backward ? more : cursor is not null;
        var next = hasNext && rows.Count > 0 ? CursorAt(rows[^1], sort is not null, byLastUpdated, backward: false) : null;
        var previous = hasPrevious && rows.Count > 0 ? CursorAt(rows[0], sort is not null, byLastUpdated, backward: true) : null;
        if (total is null && query.Total != TotalMode.None && cursor is null && !more)
        {
            total = rows.Count;
        }

        return new SearchResult([.. rows.Select(AuditEventRows.ToVersion)], [], query.Total == TotalMode.None ? null : total, next, previous);
    }

    /// <summary>The rows the criteria select (all of them AND-ed, each one's values OR-ed). Internal for the SQL checks.</summary>
    internal IQueryable<AuditEventEntity> Filter(IReadOnlyList<SearchCriterion> criteria)
    {
        // "Who saw Patient/x" should seek that patient's target rows and fetch their events by surrogate. SQLite, without
        // statistics, takes an equality on an index's first column as selective and so walked the whole tenant's
        // events through IX_AuditEvents_Recorded (TenantId, ...) testing each against the targets: 0.1-1.7 s a page at
        // 500,000 events, growing with the log. A positive entity or patient criterion already keeps to this tenant
        // (every target predicate names it, and a value it cannot resolve matches nothing), so the events' own tenant
        // test is left out there and the planner seeks the surrogates (1.6-9 ms; docs/performance.md, session 12).
        var rows = db.Database.IsSqlite() && criteria.Any(ReachesTargetsOfThisTenant) ? db.AuditEvents.AsNoTracking() : Rows;
        foreach (var criterion in criteria)
        {
            rows = rows.Where(Predicate(criterion));
        }

        return rows;
    }

    /// <summary>
    /// An AND-ed <c>entity</c> or <c>patient</c> criterion whose every value goes to <see cref="Target"/>: it selects only
    /// events with a target row of this tenant (or none at all). Negated and <c>:missing</c> ones do not.
    /// </summary>
    private static bool ReachesTargetsOfThisTenant(SearchCriterion criterion) =>
        criterion is ParameterCriterion { Parameter.Name: "entity" or "patient" } p
        && p.Modifier is not (SearchModifier.Not or SearchModifier.Missing)
        && p.Values.Count > 0
        && p.Values.All(v => v is ReferenceSearchValue);

    private Expression<Func<AuditEventEntity, bool>> Predicate(SearchCriterion criterion) => criterion switch
    {
        ParameterCriterion { Modifier: SearchModifier.Missing, Values: [MissingSearchValue missing] } p => Missing(p.Parameter.Name, missing.Missing),
        ParameterCriterion p when p.Modifier == SearchModifier.Not => Predicates.Or(p.Values.Select(v => Value(p, v))).Not(),
        ParameterCriterion p => Predicates.Or(p.Values.Select(v => Value(p, v))),
        AnyOfCriterion any => Predicates.Or(any.Alternatives.Select(Predicate)),

        // The parser sets chains and _has on AuditEvent aside (AuditEventSearch.NotLinked); reaching here is a fault.
        _ => throw new NotSupportedException($"{criterion.GetType().Name} cannot be applied to AuditEvent"),
    };

    private static Expression<Func<AuditEventEntity, bool>> Missing(string parameter, bool missing) => (parameter, missing) switch
    {
        ("address", true) => a => a.Address == null,
        ("address", false) => a => a.Address != null,
        ("agent", true) => a => a.UserId == null && a.ClientId == null,
        ("agent", false) => a => a.UserId != null || a.ClientId != null,
        ("entity", true) => a => a.Entities == null && a.Patients == null,
        ("entity", false) => a => a.Entities != null || a.Patients != null,
        ("patient", true) => a => a.Patients == null && !a.Entities!.Contains("Patient/"),
        ("patient", false) => a => a.Patients != null || a.Entities!.Contains("Patient/"),
        _ => throw new NotSupportedException($"AuditEvent's '{parameter}' has no :missing"),
    };

    private Expression<Func<AuditEventEntity, bool>> Value(ParameterCriterion criterion, SearchValue value)
    {
        var name = criterion.Parameter.Name;
        return (name, value) switch
        {
            ("_id", TokenSearchValue t) => Code(t, null, code => a => a.EventId == code),
            ("_lastUpdated", DateSearchValue d) => DatePredicate(d, byLastUpdated: true),
            ("date", DateSearchValue d) => DatePredicate(d, byLastUpdated: false),
            ("type", TokenSearchValue t) => Code(t, AuditCodes.EventType, code => code == AuditCodes.Rest ? a => true : a => false),
            ("subtype", TokenSearchValue t) => Code(t, AuditCodes.RestfulInteraction, code => a => a.Subtype == code),

            // Plain codes: indexed without a system, as every code element is.
            ("action", TokenSearchValue t) => Code(t, null, code => a => a.Action == code),
            ("outcome", TokenSearchValue t) => Code(t, null, code => a => a.Outcome == code),

            // Each entity's type and role follow from where the row keeps it (AuditEventFactory).
            ("entity-type", TokenSearchValue t) => Code(t, AuditCodes.EntityType, code => code switch
            {
                AuditCodes.SystemObjectType => a => a.Entities != null || a.Query != null,
                AuditCodes.PersonType => a => a.Patients != null,
                _ => a => false,
            }),
            ("entity-role", TokenSearchValue t) => Code(t, AuditCodes.ObjectRole, code => code switch
            {
                AuditCodes.DomainResourceRole => a => a.Entities != null,
                AuditCodes.QueryRole => a => a.Query != null,
                AuditCodes.PatientRole => a => a.Patients != null,
                _ => a => false,
            }),

            // agent.who carries identifiers (user, client) without a system, never a literal reference.
            ("agent", TokenSearchValue t) => Code(t, null, code => a => a.UserId == code || a.ClientId == code),
            ("agent", ReferenceSearchValue) => a => false,
            ("address", StringSearchValue s) => Address(criterion.Modifier, criterion.Modifier == SearchModifier.Exact ? s.Value : s.Normalized),
            ("entity" or "patient", ReferenceSearchValue r) => Target(name, r),
            _ => throw FhirOperationException.BadRequest($"AuditEvent's '{name}' cannot take the value given."),
        };
    }

    /// <summary>
    /// A token on a column holding codes of one known system (null: codes without a system): <c>code</c>,
    /// <c>system|code</c>, <c>|code</c> and <c>system|</c> as R4 defines them.
    /// </summary>
    private static Expression<Func<AuditEventEntity, bool>> Code(
        TokenSearchValue token, string? system, Func<string, Expression<Func<AuditEventEntity, bool>>> byCode)
    {
        var systemMatches = token.System is null || (token.System.Length == 0 ? system is null : token.System == system);
        if (!systemMatches)
        {
            return a => false;
        }

        return token.Code is { } code ? byCode(code) : a => true;
    }

    private Expression<Func<AuditEventEntity, bool>> DatePredicate(DateSearchValue value, bool byLastUpdated)
    {
        var (start, end) = (value.Start, value.End);
        (DateTime Low, DateTime High) = value.Prefix switch
        {
            SearchPrefix.Eq or SearchPrefix.Ne => (start, end),
            // Nothing lies after the last tick DateTime holds (a search on 9999) or before its first (0001): an empty
            // range (low above high), where stepping past the edge threw.
            SearchPrefix.Gt or SearchPrefix.Sa => end == DateTime.MaxValue ? (DateTime.MaxValue, DateTime.MinValue) : (end.AddTicks(1), DateTime.MaxValue),
            SearchPrefix.Lt or SearchPrefix.Eb => start == DateTime.MinValue ? (DateTime.MaxValue, DateTime.MinValue) : (DateTime.MinValue, start.AddTicks(-1)),
            SearchPrefix.Ge => (start, DateTime.MaxValue),
            SearchPrefix.Le => (DateTime.MinValue, end),

            // As for every other date (ValuePredicates.Date): 10 % of the distance from now.
            _ => Approximately(start, end),
        };
        var (low, high) = (DateTime.SpecifyKind(Low, DateTimeKind.Utc), DateTime.SpecifyKind(High, DateTimeKind.Utc));
        Expression<Func<AuditEventEntity, bool>> within = byLastUpdated
            ? a => a.LastUpdated >= low && a.LastUpdated <= high
            : a => a.Recorded >= low && a.Recorded <= high;
        return value.Prefix == SearchPrefix.Ne ? within.Not() : within;
    }

    private (DateTime, DateTime) Approximately(DateTime start, DateTime end)
    {
        var gap = Math.Abs((now - start).Ticks) / 10;
        return (new DateTime(Math.Max(DateTime.MinValue.Ticks, start.Ticks - gap), DateTimeKind.Utc),
            new DateTime(Math.Min(DateTime.MaxValue.Ticks, end.Ticks + gap), DateTimeKind.Utc));
    }

    /// <summary>
    /// R4 string matching (prefix by default). Addresses are stored as the host prints them, digits, dots, colons and
    /// lower-case hex, which is already their normalized form.
    /// </summary>
    private static Expression<Func<AuditEventEntity, bool>> Address(SearchModifier modifier, string normalized) => modifier switch
    {
        SearchModifier.Exact => a => a.Address == normalized,
        SearchModifier.Contains => a => a.Address!.Contains(normalized),
        _ => a => a.Address!.StartsWith(normalized),
    };

    /// <summary>
    /// <c>entity</c> (any entity's <c>what</c>) and <c>patient</c> (an entity that is a Patient): the target rows. Absolute
    /// URLs never match (the events hold relative references only); a version in the value is not compared.
    /// </summary>
    private Expression<Func<AuditEventEntity, bool>> Target(string parameter, ReferenceSearchValue value)
    {
        if (value.TargetId is not { } id || value.Url is not null)
        {
            return a => false;
        }

        var type = parameter == "patient" ? "Patient" : value.TargetType;
        if (parameter == "patient" && value.TargetType is not null and not "Patient")
        {
            return a => false;
        }

        // A bare id names a resource of any stored type: the lookup index starts with the type, so list them all.
        var types = Core.Resources.SupportedResourceTypes.All;
        var targets = db.AuditEventTargets.Where(t => t.TenantId == tenant && t.TargetId == id);
        targets = type is null ? targets.Where(t => types.Contains(t.TargetType)) : targets.Where(t => t.TargetType == type);
        if (!db.Database.IsSqlite())
        {
            return a => targets.Any(t => t.AuditSurrogate == a.Surrogate);
        }

        // On SQLite the target rows are an IN list, read once by their index, and the events are fetched by surrogate (see
        // Filter); a correlated EXISTS ran once per event. SQLite's group committer stages target rows and merges them into
        // the indexed table every few thousand (SqliteAuditStatement), so the latest events' targets are in the staging
        // table, which has no index and stays small: it too is read once per search.
        var staged = db.AuditEventTargetsStaged.Where(s => s.TenantId == tenant && s.TargetId == id);
        staged = type is null ? staged.Where(s => types.Contains(s.TargetType)) : staged.Where(s => s.TargetType == type);
        var indexedEvents = targets.Select(t => t.AuditSurrogate);
        var stagedEvents = staged.Select(s => s.AuditSurrogate);
        return Predicates.Or<AuditEventEntity>([a => indexedEvents.Contains(a.Surrogate), a => stagedEvents.Contains(a.Surrogate)]);
    }

    private static Expression<Func<AuditEventEntity, bool>> Beyond(SearchCursor cursor, bool sorted, bool byLastUpdated, bool descending)
    {
        var surrogate = cursor.Surrogate;
        Expression<Func<AuditEventEntity, bool>> after = cursor.Backward ? a => a.Surrogate < surrogate : a => a.Surrogate > surrogate;
        if (!sorted)
        {
            return after;
        }

        if (!long.TryParse(cursor.Keys[0], System.Globalization.CultureInfo.InvariantCulture, out var ticks) || ticks < 0 || ticks > DateTime.MaxValue.Ticks)
        {
            throw FhirOperationException.BadRequest("The paging cursor is malformed or does not belong to this search.");
        }

        var time = new DateTime(ticks, DateTimeKind.Utc);
        var later = descending == cursor.Backward;
        Expression<Func<AuditEventEntity, bool>> beyond = (byLastUpdated, later) switch
        {
            (true, true) => a => a.LastUpdated > time,
            (true, false) => a => a.LastUpdated < time,
            (false, true) => a => a.Recorded > time,
            (false, false) => a => a.Recorded < time,
        };
        Expression<Func<AuditEventEntity, bool>> same = byLastUpdated ? a => a.LastUpdated == time : a => a.Recorded == time;
        var tieAfter = cursor.Backward != descending
            ? (Expression<Func<AuditEventEntity, bool>>)(a => a.Surrogate < surrogate)
            : a => a.Surrogate > surrogate;
        return Predicates.Or([beyond, same.And(tieAfter)]);
    }

    private static string CursorAt(AuditEventEntity row, bool sorted, bool byLastUpdated, bool backward) =>
        new SearchCursor(backward, row.Surrogate, sorted
            ? [(byLastUpdated ? row.LastUpdated : row.Recorded).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            : []).Encode();
}
