using System.Globalization;
using AllianceFhir.Core.Search;
using AllianceFhir.Storage.Configurations;
using AllianceFhir.Storage.Entities;

namespace AllianceFhir.Storage;

/// <summary>Turns extracted index values into rows of the typed index tables.</summary>
internal static class IndexRowMapper
{
    public static void AddRows(FhirDbContext db, ResourceEntity resource, IEnumerable<SearchIndexValue> values)
    {
        foreach (var value in values)
        {
            AddRow(db, resource, value);
        }
    }

    private static void AddRow(FhirDbContext db, ResourceEntity r, SearchIndexValue value)
    {
        switch (value)
        {
            case TokenIndexValue t:
                db.TokenIndex.Add(new TokenIndexEntity
                {
                    Resource = r, TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = t.ParamName,
                    System = t.System, Code = t.Code, Text = t.Text,
                });
                break;
            case StringIndexValue s:
                db.StringIndex.Add(new StringIndexEntity
                {
                    Resource = r, TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = s.ParamName,

                    // The normalized column serves starts-with lookups through an index, which needs a bounded
                    // length; the full value stays in Exact, which :exact and :contains check.
                    Normalized = s.Normalized.Length > ColumnLengths.StringValue ? s.Normalized[..ColumnLengths.StringValue] : s.Normalized,
                    Exact = s.Exact,
                });
                break;
            case DateIndexValue d:
                db.DateIndex.Add(new DateIndexEntity
                {
                    Resource = r, TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = d.ParamName,
                    Start = d.Start, End = d.End,
                });
                break;
            case ReferenceIndexValue f:
                db.ReferenceIndex.Add(new ReferenceIndexEntity
                {
                    Resource = r, TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = f.ParamName,
                    TargetType = f.TargetType, TargetId = f.TargetId, Url = f.Url, Version = f.Version,
                });
                break;
            case UriIndexValue u:
                db.UriIndex.Add(new UriIndexEntity
                {
                    Resource = r, TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = u.ParamName,
                    Uri = u.Uri, Version = u.Version,
                });
                break;
            case NumberIndexValue n:
                db.NumberIndex.Add(new NumberIndexEntity
                {
                    Resource = r, TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = n.ParamName,
                    Value = n.Value.ToString(CultureInfo.InvariantCulture), Low = (double)n.Low, High = (double)n.High,
                });
                break;
            case QuantityIndexValue q:
                db.QuantityIndex.Add(new QuantityIndexEntity
                {
                    Resource = r, TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = q.ParamName,
                    System = q.System, Code = q.Code,
                    Value = q.Value.ToString(CultureInfo.InvariantCulture), Low = (double)q.Low, High = (double)q.High,
                });
                break;
            case CompositeIndexValue c:
                // Composite parameters are searched through their components' own rows for now.
                foreach (var component in c.Components)
                {
                    AddRow(db, r, component);
                }

                break;
            default:
                throw new NotSupportedException($"No index table for {value.GetType().Name}");
        }
    }
}
