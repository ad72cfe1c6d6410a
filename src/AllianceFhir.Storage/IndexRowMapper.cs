using System.Globalization;
using AllianceFhir.Core.Search;
using AllianceFhir.Storage.Configurations;
using AllianceFhir.Storage.Entities;

namespace AllianceFhir.Storage;

/// <summary>Turns extracted index values into rows of the typed index tables.</summary>
internal static class IndexRowMapper
{
    /// <summary>The rows for one resource version; <see cref="SearchIndexEntity.ResourceSurrogate"/> is set once the version row has its key.</summary>
    public static List<SearchIndexEntity> ToRows(ResourceEntity resource, IEnumerable<SearchIndexValue> values)
    {
        var rows = new List<SearchIndexEntity>();
        foreach (var value in values)
        {
            AddRow(rows, resource, value);
        }

        return rows;
    }

    private static void AddRow(List<SearchIndexEntity> rows, ResourceEntity r, SearchIndexValue value)
    {
        switch (value)
        {
            case TokenIndexValue t:
                rows.Add(new TokenIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = t.ParamName,
                    System = t.System, Code = t.Code, Text = t.Text,
                });
                break;
            case StringIndexValue s:
                rows.Add(new StringIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = s.ParamName,

                    // The normalized column serves starts-with lookups through an index, which needs a bounded
                    // length; the full value stays in Exact, which :exact and :contains check.
                    Normalized = s.Normalized.Length > ColumnLengths.StringValue ? s.Normalized[..ColumnLengths.StringValue] : s.Normalized,
                    Exact = s.Exact,
                });
                break;
            case DateIndexValue d:
                rows.Add(new DateIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = d.ParamName,
                    Start = d.Start, End = d.End,
                });
                break;
            case ReferenceIndexValue f:
                rows.Add(new ReferenceIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = f.ParamName,
                    TargetType = f.TargetType, TargetId = f.TargetId, Url = f.Url, Version = f.Version,
                });
                break;
            case UriIndexValue u:
                rows.Add(new UriIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = u.ParamName,
                    Uri = u.Uri, Version = u.Version,
                });
                break;
            case NumberIndexValue n:
                rows.Add(new NumberIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = n.ParamName,
                    Value = n.Value.ToString(CultureInfo.InvariantCulture), Low = (double)n.Low, High = (double)n.High,
                });
                break;
            case QuantityIndexValue q:
                rows.Add(new QuantityIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = q.ParamName,
                    System = q.System, Code = q.Code,
                    Value = q.Value.ToString(CultureInfo.InvariantCulture), Low = (double)q.Low, High = (double)q.High,
                });
                break;
            case CompositeIndexValue c:
                // Composite parameters are searched through their components' own rows for now.
                foreach (var component in c.Components)
                {
                    AddRow(rows, r, component);
                }

                break;
            default:
                throw new NotSupportedException($"No index table for {value.GetType().Name}");
        }
    }
}
