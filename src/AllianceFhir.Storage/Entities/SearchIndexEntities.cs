namespace AllianceFhir.Storage.Entities;

/// <summary>
/// Common columns of the typed search-index tables. Rows exist only for current versions: a new version replaces
/// its predecessor's rows, so a search never has to filter out history.
/// </summary>
public abstract class SearchIndexEntity
{
    public long Id { get; set; }

    public long ResourceSurrogate { get; set; }

    public ResourceEntity? Resource { get; set; }

    public required string TenantId { get; set; }

    public required string ResourceType { get; set; }

    public required string ParamName { get; set; }

    /// <summary>
    /// <see cref="ParamKeys.Of"/>(<see cref="TenantId"/>, <see cref="ResourceType"/>, <see cref="ParamName"/>): what the
    /// lookup indexes lead with instead of the three text columns.
    /// </summary>
    public long ParamKey { get; set; }

    /// <summary>
    /// For the component rows of a composite parameter: which combination (within the resource) the row belongs to,
    /// so <c>code-value-quantity=a$5</c> matches only a code and a value that occur together. Null for plain rows.
    /// Component rows carry <c>{composite}${component index}</c> as <see cref="ParamName"/>.
    /// </summary>
    public int? CompositeGroup { get; set; }
}

public sealed class TokenIndexEntity : SearchIndexEntity
{
    public string? System { get; set; }

    public string? Code { get; set; }

    public string? Text { get; set; }
}

public sealed class StringIndexEntity : SearchIndexEntity
{
    public required string Normalized { get; set; }

    public required string Exact { get; set; }
}

public sealed class DateIndexEntity : SearchIndexEntity
{
    public DateTime Start { get; set; }

    public DateTime End { get; set; }
}

public sealed class ReferenceIndexEntity : SearchIndexEntity
{
    public string? TargetType { get; set; }

    public string? TargetId { get; set; }

    public string? Url { get; set; }

    public string? Version { get; set; }
}

public sealed class UriIndexEntity : SearchIndexEntity
{
    public required string Uri { get; set; }

    public string? Version { get; set; }
}

/// <summary>Numbers keep their exact decimal text; comparisons use the double range, which no provider mis-sorts.</summary>
public sealed class NumberIndexEntity : SearchIndexEntity
{
    public required string Value { get; set; }

    public double Low { get; set; }

    public double High { get; set; }
}

public sealed class QuantityIndexEntity : SearchIndexEntity
{
    public string? System { get; set; }

    public string? Code { get; set; }

    public required string Value { get; set; }

    public double Low { get; set; }

    public double High { get; set; }
}
