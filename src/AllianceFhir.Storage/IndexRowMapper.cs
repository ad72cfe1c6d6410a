using System.Globalization;
using AllianceFhir.Core.Search;
using AllianceFhir.Storage.Configurations;
using AllianceFhir.Storage.Entities;

namespace AllianceFhir.Storage;

/// <summary>Turns extracted index values into rows of the typed index tables.</summary>
internal static class IndexRowMapper
{
    /// <summary>The separator between a composite's name and a component index in component rows' ParamName.</summary>
    public const char ComponentSeparator = '$';

    public static string ComponentParamName(string composite, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{composite}{ComponentSeparator}{index}");

    /// <summary>The rows for one resource version; <see cref="SearchIndexEntity.ResourceSurrogate"/> is set once the version row has its key.</summary>
    public static List<SearchIndexEntity> ToRows(ResourceEntity resource, IEnumerable<SearchIndexValue> values)
    {
        var rows = new List<SearchIndexEntity>();
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is CompositeIndexValue composite)
            {
                // Each combination gets its own group number; its components are written under the composite's
                // name and their position, so they never mix with the plain rows of the same parameters.
                var group = groups.GetValueOrDefault(composite.ParamName);
                groups[composite.ParamName] = group + 1;
                for (var i = 0; i < composite.Components.Count; i++)
                {
                    var entity = AddRow(rows, resource, composite.Components[i], ComponentParamName(composite.ParamName, i));
                    entity.CompositeGroup = group;
                }
            }
            else
            {
                AddRow(rows, resource, value, value.ParamName);
            }
        }

        return rows;
    }

    private static SearchIndexEntity AddRow(List<SearchIndexEntity> rows, ResourceEntity r, SearchIndexValue value, string paramName)
    {
        SearchIndexEntity entity;
        switch (value)
        {
            case TokenIndexValue t:
                entity = new TokenIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = paramName,
                    System = t.System, Code = t.Code, Text = t.Text,
                };
                break;
            case StringIndexValue s:
                entity = new StringIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = paramName,

                    // The normalized column serves starts-with lookups through an index, which needs a bounded
                    // length; the full value stays in Exact for :exact. (:contains looks at the normalized, bounded text.)
                    Normalized = s.Normalized.Length > ColumnLengths.StringValue ? s.Normalized[..ColumnLengths.StringValue] : s.Normalized,
                    Exact = s.Exact,
                };
                break;
            case DateIndexValue d:
                entity = new DateIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = paramName,
                    Start = d.Start, End = d.End,
                };
                break;
            case ReferenceIndexValue f:
                entity = new ReferenceIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = paramName,
                    TargetType = f.TargetType, TargetId = f.TargetId, Url = f.Url, Version = f.Version,
                };
                break;
            case UriIndexValue u:
                entity = new UriIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = paramName,
                    Uri = u.Uri, Version = u.Version,
                };
                break;
            case NumberIndexValue n:
                entity = new NumberIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = paramName,
                    Value = n.Value.ToString(CultureInfo.InvariantCulture), Low = (double)n.Low, High = (double)n.High,
                };
                break;
            case QuantityIndexValue q:
                entity = new QuantityIndexEntity
                {
                    TenantId = r.TenantId, ResourceType = r.ResourceType, ParamName = paramName,
                    System = q.System, Code = q.Code,
                    Value = q.Value.ToString(CultureInfo.InvariantCulture), Low = (double)q.Low, High = (double)q.High,
                };
                break;
            default:
                throw new NotSupportedException($"No index table for {value.GetType().Name}");
        }

        rows.Add(entity);
        return entity;
    }
}
