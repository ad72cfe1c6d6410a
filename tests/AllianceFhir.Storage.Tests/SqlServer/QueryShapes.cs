using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Storage.Tests.SqlServer;

/// <summary>
/// A representative run of every kind of statement the store sends: each search parameter type, prefix and modifier,
/// chains, <c>_has</c>, includes, sorts, cursor paging, counts, reads, history, conditional lookups, referrer checks,
/// the compartment restriction, tenant and catalog filters, and the writes of the SQL Server committer. Each shape runs
/// through the store's public entry points on a <see cref="SqlServerHarness"/>.
/// </summary>
public static class QueryShapes
{
    private const string Loinc = "http://loinc.org";
    private const string WaiSr = "http://alliance.example.org/Questionnaire/wai-sr";

    public static readonly IReadOnlyDictionary<string, Func<SqlServerHarness, Task>> All = Build();

    public static IEnumerable<object[]> Names => All.Keys.Select(k => new object[] { k });

    /// <summary>Runs one shape and returns what it sent to the database.</summary>
    public static async Task<IReadOnlyList<RecordedStatement>> RunAsync(string name)
    {
        using var harness = new SqlServerHarness();
        await All[name](harness);
        return harness.Connection.Statements;
    }

    private static Dictionary<string, Func<SqlServerHarness, Task>> Build()
    {
        var shapes = new Dictionary<string, Func<SqlServerHarness, Task>>(StringComparer.Ordinal);
        void Search(string type, string query) => shapes[$"{type}?{query}"] = h => h.SearchAsync(type, query);

        // token
        Search("Observation", $"code={Loinc}|srs-total");
        Search("Observation", "code=srs-total");
        Search("Observation", "code=|srs-total");
        Search("Patient", "identifier=http://clinic.example.org/mrn|");
        Search("Patient", "identifier=http://clinic.example.org/mrn|12345");
        Search("Patient", "_id=a,b");
        Search("Observation", "code:not=srs-total");
        Search("Observation", "code:text=session");
        Search("Patient", "gender=female,male");

        // string
        Search("Patient", "family=mül");
        Search("Patient", "name:exact=Müller");
        Search("Patient", "name:contains=ll");

        // date, every prefix
        foreach (var prefix in new[] { "", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap" })
        {
            Search("Observation", $"date={prefix}2026-03-01");
        }

        Search("QuestionnaireResponse", "authored=ge2026-03&authored=lt2026-04");
        Search("Patient", "_lastUpdated=sa2026-01-01T10:00:00Z");

        // number: whichever supported type has a number parameter (none may; then the store never searches one)
        foreach (var (type, parameter) in NumberParameters().Take(1))
        {
            Search(type, $"{parameter}=gt0.5");
            Search(type, $"{parameter}=0.5");
            Search(type, $"{parameter}=ap0.5&_sort=-{parameter}");
        }

        // quantity
        Search("Observation", "value-quantity=5");
        Search("Observation", "value-quantity=ap5||mg");
        Search("Observation", "value-quantity=le5|http://unitsofmeasure.org|mg");
        Search("Observation", "component-code-value-quantity=a$gt3");

        // reference, uri, canonical
        Search("Observation", "subject=Patient/1");
        Search("Observation", "subject=1");
        Search("Observation", "subject:identifier=http://clinic.example.org/mrn|12345");
        Search("QuestionnaireResponse", $"questionnaire={WaiSr}|1.0");
        Search("QuestionnaireResponse", $"questionnaire={WaiSr}");
        Search("Questionnaire", $"url={WaiSr}");
        Search("Questionnaire", $"url={WaiSr}&version=1.0");
        Search("ValueSet", "url=http://hl7.org/fhir/ValueSet/yesnodontknow");

        // :missing
        Search("Patient", "birthdate:missing=true");
        Search("Patient", "birthdate:missing=false");
        Search("Observation", "component-code-value-quantity:missing=false");

        // chains and reverse chains
        Search("QuestionnaireResponse", "subject:Patient.identifier=http://clinic.example.org/mrn|12345");
        Search("Observation", "subject:Patient.name=mül&code=srs-total");
        Search("Patient", "_has:Observation:subject:code=srs-total");
        Search("QuestionnaireResponse", "_has:Observation:derived-from:code=srs-total");

        // combinations: the most selective criterion drives, the rest are per-resource checks
        Search("Observation", $"subject=Patient/1&code={Loinc}|srs-total&date=ge2026&_sort=-date&_count=1");
        Search("Observation", "code:not=x&value-quantity=ap5||mg&component-code-value-quantity=a$gt3&code:text=abc");
        Search("Patient", "family=mül&name:contains=x&given:exact=Y&gender:missing=true&_sort=family,-birthdate");

        // _include / _revinclude (the fake rows make every round find something, so :iterate runs its rounds)
        Search("Observation", "code=srs-total&_include=Observation:subject");
        Search("Observation", "code=srs-total&_include=Observation:subject:Patient");
        Search("QuestionnaireResponse", "authored=ge2026&_include=QuestionnaireResponse:questionnaire");
        Search("Observation", "code=srs-total&_include=Observation:derived-from&_include:iterate=QuestionnaireResponse:subject");
        Search("Patient", "family=mül&_revinclude=Observation:subject");
        Search("Patient", "family=mül&_revinclude:iterate=Observation:subject&_revinclude:iterate=Observation:derived-from");

        // _sort on every sortable type, both directions, several keys
        foreach (var sort in new[] { "date", "-date", "code", "-code", "subject", "-subject", "value-quantity", "-value-quantity" })
        {
            Search("Observation", $"status=final&_sort={sort}");
        }

        Search("Patient", "active=true&_sort=family,-birthdate,_id");
        Search("Questionnaire", "status=active&_sort=url");
        Search("Observation", "status=final&_sort=-_lastUpdated");

        // counts and totals
        Search("Observation", "code=srs-total&_summary=count");
        Search("Observation", "code=srs-total&_total=accurate&_count=5");
        Search("Patient", "_count=0&_total=accurate");

        // AuditEvent, a virtual type: its narrow table's columns and target rows instead of index rows
        Search("AuditEvent", "patient=Patient/p1&_sort=-date&_count=10");
        Search("AuditEvent", "entity=Observation/o1");
        Search("AuditEvent", "entity=o1");
        Search("AuditEvent", "agent:identifier=practitioner-1&date=ge2026-03-01&date=lt2026-04-01");
        Search("AuditEvent", "date=ge2026-03-01&action=R,E&outcome:not=0&subtype=read");
        Search("AuditEvent", "date=2026-03-01&type=rest&entity-type=1&entity-role=24&address=127.0&_total=accurate");
        Search("AuditEvent", "_lastUpdated=gt2026-03-01&_sort=_lastUpdated&address:missing=false&patient:missing=true");
        Search("AuditEvent", "_id=a,b");
        Search("AuditEvent", "");
        shapes["AuditEvent paging: next and previous pages by cursor"] = async h =>
        {
            foreach (var query in new[] { "action=R", "action=R&_sort=-date", "patient=Patient/p1&_sort=date" })
            {
                var first = await h.SearchAsync("AuditEvent", query + "&_count=2");
                var second = await h.SearchAsync("AuditEvent", query + "&_count=2", first.NextCursor ?? throw new InvalidOperationException("no next page"));
                await h.SearchAsync("AuditEvent", query + "&_count=2", second.PreviousCursor ?? throw new InvalidOperationException("no previous page"));
            }
        };
        shapes["AuditEvent read, vread and history"] = async h =>
        {
            await h.Store.ReadCurrentAsync("AuditEvent", "a1", CancellationToken.None);
            await h.Store.ReadVersionAsync("AuditEvent", "a1", 1, CancellationToken.None);
            await h.Store.HistoryAsync(new HistoryQuery("AuditEvent", "a1", null, 20), CancellationToken.None);
            await h.Store.HistoryAsync(new HistoryQuery("AuditEvent", null, DateTimeOffset.UtcNow.AddDays(-1), 20, Before: 5000), CancellationToken.None);
        };

        // no criterion: the type's rows in order
        Search("Patient", "");

        shapes["broad unsorted search walks the type in order"] = h =>
        {
            // A probe count above the walk threshold makes the engine walk instead of collecting the driving set.
            h.Connection.Results = h.Connection.Results with { Count = 5000 };
            return h.SearchAsync("Observation", "status=final&code=srs-total");
        };

        shapes["paging: next and previous pages by cursor"] = async h =>
        {
            foreach (var query in new[] { "status=final", "status=final&_sort=-date,code", "active=true&_sort=family" })
            {
                var type = query.StartsWith("active", StringComparison.Ordinal) ? "Patient" : "Observation";
                var first = await h.SearchAsync(type, query + "&_count=2");
                var second = await h.SearchAsync(type, query + "&_count=2", first.NextCursor ?? throw new InvalidOperationException("no next page"));
                await h.SearchAsync(type, query + "&_count=2", second.PreviousCursor ?? throw new InvalidOperationException("no previous page"));
            }
        };

        shapes["whole-system search over several types"] = h =>
            h.Store.SearchAsync(
                new Core.Search.SearchRequest(SqlServerHarness.Parse("Patient", "_lastUpdated=ge2026-01-01&_id=a"), ["Patient", "Observation", "Questionnaire"]),
                CancellationToken.None);

        shapes["whole-system search over every type"] = h =>
            h.Store.SearchAsync(
                new Core.Search.SearchRequest(SqlServerHarness.Parse("Patient", "_lastUpdated=ge2026-01-01"), [.. SqlServerHarness.Registry.ResourceTypes]),
                CancellationToken.None);

        // The compartment restriction of patient/ scopes, and a search-filtered scope.
        shapes["compartment: patient/*.rs searching Observations"] = h => h.SearchAsAsync("patient/*.rs", "p1", "Observation", "code=srs-total");
        shapes["compartment: patient/*.rs searching Patients"] = h => h.SearchAsAsync("patient/*.rs", "p1", "Patient", "");
        shapes["compartment: patient/*.rs with _has"] = h => h.SearchAsAsync("patient/*.rs", "p1", "Patient", "_has:Observation:subject:code=srs-total");
        shapes["compartment: search-filtered scope"] = h => h.SearchAsAsync("patient/Observation.rs?category=survey", "p1", "Observation", "_sort=-date");

        // Reads, history, conditional lookups, referrers. No rows: every fallback (the catalog's copy) runs too.
        shapes["read current, falling back to the catalog"] = async h =>
        {
            h.Connection.Results = h.Connection.Results with { Rows = 0 };
            await h.Store.ReadCurrentAsync("Questionnaire", "wai-sr", CancellationToken.None);
            await h.Store.ReadCurrentAsync("Patient", "p1", CancellationToken.None);
        };
        shapes["vread, falling back to the catalog"] = async h =>
        {
            h.Connection.Results = h.Connection.Results with { Rows = 0 };
            await h.Store.ReadVersionAsync("Questionnaire", "wai-sr", 2, CancellationToken.None);
            await h.Store.ReadVersionAsync("Patient", "p1", 2, CancellationToken.None);
        };
        shapes["history: instance, type and system, with _since and paging"] = async h =>
        {
            await h.Store.HistoryAsync(new HistoryQuery("Patient", "p1", null, 20), CancellationToken.None);
            await h.Store.HistoryAsync(new HistoryQuery("Patient", null, DateTimeOffset.UtcNow.AddDays(-1), 20, Before: 5000), CancellationToken.None);
            await h.Store.HistoryAsync(new HistoryQuery("Questionnaire", "wai-sr", null, 20), CancellationToken.None);
            await h.Store.HistoryAsync(new HistoryQuery(null, null, DateTimeOffset.UtcNow.AddDays(-1), 20, Before: 5000), CancellationToken.None);
        };
        // Conditional interactions reach the store as a parsed search limited to two matches (Core's SearchService).
        shapes["conditional lookup (If-None-Exist, conditional update)"] = h =>
            h.SearchAsync("Patient", "identifier=http://clinic.example.org/mrn|12345&birthdate=1970-01-01&_count=2");
        shapes["referrers of a resource (delete check)"] = h => h.Store.FindReferrersAsync("Patient", "p1", 10, CancellationToken.None);

        // Writes through the SQL Server committer.
        shapes["commit: create resources of every index type in one transaction"] = h => h.Store.CommitAsync(
            [SqlServerHarness.Write(Examples.Patient()), SqlServerHarness.Write(Examples.Observation()), SqlServerHarness.Write(Examples.Questionnaire()),
             SqlServerHarness.Write(Examples.Response())],
            CancellationToken.None);
        shapes["commit: create one resource"] = h => h.Store.CommitAsync([SqlServerHarness.Write(Examples.Patient())], CancellationToken.None);
        shapes["commit: update (retire the previous version, replace index rows)"] = h =>
            h.Store.CommitAsync([SqlServerHarness.Write(Examples.Patient(), version: 2)], CancellationToken.None);
        shapes["commit: conditional create claims its condition"] = h =>
            h.Store.CommitAsync([SqlServerHarness.Write(Examples.Patient(), claim: new ConditionClaim("identifier=http://clinic.example.org/mrn|12345", null))], CancellationToken.None);
        shapes["commit: conditional create takes over a stale claim"] = h =>
            h.Store.CommitAsync([SqlServerHarness.Write(Examples.Patient(), claim: new ConditionClaim("identifier=http://clinic.example.org/mrn|12345", "old"))], CancellationToken.None);

        shapes["commit: a write with its AuditEvent row"] = h => h.Store.CommitAsync(
            [SqlServerHarness.Write(Examples.Patient()), AuditEventFactory.ToWrite(Examples.Audit(), DateTimeOffset.UtcNow)],
            CancellationToken.None);
        shapes["append: read AuditEvent rows"] = h => h.Store.AppendAsync(
            [AuditEventFactory.ToWrite(Examples.Audit(), DateTimeOffset.UtcNow), AuditEventFactory.ToWrite(Examples.Audit(), DateTimeOffset.UtcNow)],
            CancellationToken.None);

        return shapes;
    }

    private static IEnumerable<(string Type, string Parameter)> NumberParameters() =>
        SqlServerHarness.Registry.ResourceTypes.Order(StringComparer.Ordinal)
            .SelectMany(t => SqlServerHarness.Registry.For(t).Where(p => p.Type == SearchParamType.Number).Select(p => (t, p.Name)));

    private static class Examples
    {
        public static Patient Patient() => new()
        {
            Identifier = [new Identifier("http://clinic.example.org/mrn", "12345")],
            Name = [new HumanName { Family = "Müller", Given = ["Anna"] }],
            BirthDate = "1970-01-01",
            Gender = AdministrativeGender.Female,
            Active = true,
        };

        public static Observation Observation() => new()
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(Loinc, "srs-total", "Session rating"),
            Subject = new ResourceReference("Patient/p1"),
            Effective = new FhirDateTime("2026-03-01T10:00:00Z"),
            Value = new Quantity(30, "{score}"),
        };

        public static Questionnaire Questionnaire() => new()
        {
            Url = WaiSr,
            Version = "1.0",
            Status = PublicationStatus.Active,
        };

        public static AuditRecord Audit() => new(
            Core.Security.FhirInteraction.Read, null, null, DateTimeOffset.UtcNow, 200,
            new Core.Security.AccessContext("practitioner-1", "client-1", [], "clinic-a", null), "127.0.0.1", ["Patient/p1"], null, ["Patient/p1"]);

        public static QuestionnaireResponse Response() => new()
        {
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Questionnaire = WaiSr + "|1.0",
            Subject = new ResourceReference("Patient/p1"),
            Authored = "2026-03-01T10:00:00Z",
        };
    }
}
