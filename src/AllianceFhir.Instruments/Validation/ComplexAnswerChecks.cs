using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.OperationOutcome;

namespace AllianceFhir.Instruments.Validation;

/// <summary>Checks for the complex answer types: Attachment (type, size), Quantity (units, bounds) and Reference (target type).</summary>
internal static class ComplexAnswerChecks
{
    public static IEnumerable<AnswerProblem> Check(Questionnaire.ItemComponent definition, DataType value) => value switch
    {
        Attachment attachment => CheckAttachment(definition, attachment),
        Quantity quantity => CheckQuantity(definition, quantity),
        ResourceReference reference => CheckReference(definition, reference),
        _ => [],
    };

    private static IEnumerable<AnswerProblem> CheckAttachment(Questionnaire.ItemComponent definition, Attachment attachment)
    {
        var allowed = definition.GetExtensions(ExtensionUrls.MimeType).Select(e => (e.Value as Code)?.Value).OfType<string>().ToList();
        if (allowed.Count > 0 && !allowed.Contains(attachment.ContentType, StringComparer.OrdinalIgnoreCase))
        {
            yield return new(IssueType.Value, $"the attachment type {attachment.ContentType} is not allowed here (allowed: {string.Join(", ", allowed)})");
        }

        var actual = attachment.Data?.LongLength;
        var stated = StatedSize(attachment);
        if (actual is not null && stated is not null && stated != actual)
        {
            yield return new(IssueType.Invalid, $"the attachment states a size of {stated} bytes but its data has {actual} bytes");
        }

        var size = actual ?? stated;
        var max = Number(definition.GetExtension(ExtensionUrls.MaxSize)?.Value);
        if (size is not null && max is not null && size > max)
        {
            yield return new(IssueType.Value, $"the attachment is too large (allowed {max} bytes, found {size})");
        }
    }

    private static IEnumerable<AnswerProblem> CheckQuantity(Questionnaire.ItemComponent definition, Quantity quantity)
    {
        var units = definition.GetExtensions(ExtensionUrls.UnitOption).Select(e => e.Value).OfType<Coding>().ToList();
        if (units.Count > 0 && !units.Any(u => u.Code == quantity.Code && u.System == quantity.System))
        {
            yield return new(IssueType.Value, $"the unit {quantity.System}#{quantity.Code} is not one of the allowed units ({string.Join(", ", units.Select(u => u.Code))})");
        }

        var min = definition.GetExtension(ExtensionUrls.MinQuantity)?.Value as Quantity ?? definition.GetExtension(ExtensionUrls.MinValue)?.Value as Quantity;
        if (min is not null)
        {
            var order = Ucum.Compare(quantity, min);
            if (order is null)
            {
                yield return new(IssueType.Value, $"the quantity {Show(quantity)} cannot be compared with the minimum {Show(min)} (units are not formal or not commensurable)");
            }
            else if (order < 0)
            {
                yield return new(IssueType.Value, $"the quantity {Show(quantity)} is less than the allowed minimum of {Show(min)}");
            }
        }

        var max = definition.GetExtension(ExtensionUrls.MaxQuantity)?.Value as Quantity ?? definition.GetExtension(ExtensionUrls.MaxValue)?.Value as Quantity;
        if (max is not null)
        {
            var order = Ucum.Compare(quantity, max);
            if (order is null)
            {
                yield return new(IssueType.Value, $"the quantity {Show(quantity)} cannot be compared with the maximum {Show(max)} (units are not formal or not commensurable)");
            }
            else if (order > 0)
            {
                yield return new(IssueType.Value, $"the quantity {Show(quantity)} is greater than the allowed maximum of {Show(max)}");
            }
        }
    }

    private static IEnumerable<AnswerProblem> CheckReference(Questionnaire.ItemComponent definition, ResourceReference reference)
    {
        if (reference.Reference is not { } text || text.StartsWith('#'))
        {
            yield break;
        }

        if (text.Any(char.IsWhiteSpace) || (text.Contains("://", StringComparison.Ordinal) && !Uri.TryCreate(text, UriKind.Absolute, out _)))
        {
            yield return new(IssueType.Invalid, $"the reference '{text}' is not a valid reference");
        }

        var type = ResourceTypeOf(text);
        if (type is null)
        {
            yield break;
        }

        if (!ModelInfo.IsKnownResource(type))
        {
            yield return new(IssueType.Invalid, $"the resource type {type} in the reference '{text}' is not a FHIR resource type");
            yield break;
        }

        var allowed = definition.GetExtensions(ExtensionUrls.ReferenceResource).Select(e => (e.Value as Code)?.Value).OfType<string>().ToList();
        if (allowed.Count > 0 && !allowed.Contains(type) && !allowed.Contains("Resource"))
        {
            yield return new(IssueType.Value, $"the reference '{text}' points at a {type}, but only {string.Join(", ", allowed)} are allowed");
        }
    }

    /// <summary>The resource type of a relative (<c>Type/id</c>) or absolute RESTful reference, ignoring <c>_history</c>.</summary>
    private static string? ResourceTypeOf(string reference)
    {
        var parts = reference.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var history = Array.IndexOf(parts, "_history");
        var end = history >= 0 ? history : parts.Length;
        return end >= 2 ? parts[end - 2] : null;
    }

    /// <summary>R4 carries size as unsignedInt; Firely's typed accessor expects R5's integer64, so read the text.</summary>
    private static long? StatedSize(Attachment attachment) =>
        long.TryParse(attachment.SizeElement?.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) ? size : null;

    private static long? Number(DataType? value) => value switch
    {
        FhirDecimal { Value: { } d } => (long)d,
        Integer { Value: { } i } => i,
        Integer64 { Value: { } l } => l,
        _ => null,
    };

    private static string Show(Quantity q) => $"{q.Value} {q.Unit ?? q.Code}";
}
