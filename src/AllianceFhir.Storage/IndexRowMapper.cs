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
    public static List<SearchIndexEntity> ToRows(string tenantId, string resourceType, IEnumerable<SearchIndexValue> values)
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
                if (group >= Search.CriterionTranslator.CompositeGroupSpan)
                {
                    // The search folds (surrogate, group) into one number; beyond the span groups would collide.
                    continue;
                }

                for (var i = 0; i < composite.Components.Count; i++)
                {
                    var entity = AddRow(rows, tenantId, resourceType, composite.Components[i], ComponentParamName(composite.ParamName, i));
                    entity.CompositeGroup = group;
                }
            }
            else if (value.ParamName != Search.ResourceIdParameter.Name)
            {
                AddRow(rows, tenantId, resourceType, value, value.ParamName);
            }
        }

        return rows;
    }

    private static SearchIndexEntity AddRow(List<SearchIndexEntity> rows, string tenantId, string resourceType, SearchIndexValue value, string paramName)
    {
        SearchIndexEntity entity;
        switch (value)
        {
            case TokenIndexValue t:
                entity = new TokenIndexEntity
                {
                    TenantId = tenantId, ResourceType = resourceType, ParamName = paramName,
                    System = t.System, Code = t.Code, Text = t.Text,
                };
                break;
            case StringIndexValue s:
                entity = new StringIndexEntity
                {
                    TenantId = tenantId, ResourceType = resourceType, ParamName = paramName,

                    // The normalized column serves starts-with lookups through an index, which needs a bounded
                    // length; the full value stays in Exact for :exact. (:contains looks at the normalized, bounded text.)
                    Normalized = s.Normalized.Length > ColumnLengths.StringValue ? s.Normalized[..ColumnLengths.StringValue] : s.Normalized,
                    Exact = s.Exact,
                };
                break;
            case DateIndexValue d:
                entity = new DateIndexEntity
                {
                    TenantId = tenantId, ResourceType = resourceType, ParamName = paramName,
                    Start = d.Start, End = d.End,
                };
                break;
            case ReferenceIndexValue f:
                entity = new ReferenceIndexEntity
                {
                    TenantId = tenantId, ResourceType = resourceType, ParamName = paramName,
                    TargetType = f.TargetType, TargetId = f.TargetId, Url = f.Url, Version = f.Version,
                };
                break;
            case UriIndexValue u:
                entity = new UriIndexEntity
                {
                    TenantId = tenantId, ResourceType = resourceType, ParamName = paramName,
                    Uri = u.Uri, Version = u.Version,
                };
                break;
            case NumberIndexValue n:
                entity = new NumberIndexEntity
                {
                    TenantId = tenantId, ResourceType = resourceType, ParamName = paramName,
                    Value = n.Value.ToString(CultureInfo.InvariantCulture), Low = (double)n.Low, High = (double)n.High,
                };
                break;
            case QuantityIndexValue q:
                entity = new QuantityIndexEntity
                {
                    TenantId = tenantId, ResourceType = resourceType, ParamName = paramName,
                    System = q.System, Code = q.Code,
                    Value = q.Value.ToString(CultureInfo.InvariantCulture), Low = (double)q.Low, High = (double)q.High,
                };
                break;
            default:
                throw new NotSupportedException($"No index table for {value.GetType().Name}");
        }

        entity.ParamKey = ParamKeys.Of(tenantId, resourceType, paramName);
        rows.Add(entity);
        return entity;
    }
}
