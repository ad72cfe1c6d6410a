using System.Globalization;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Spreadsheets;

/// <summary>
/// One answer cell read against its Questionnaire item. A choice takes the option's code, its display text, or the
/// number printed beside it on the form; a number must lie within the item's minValue/maxValue and maxDecimalPlaces.
/// </summary>
public static class AnswerCell
{
    /// <summary>The answer value, or the reason the text is not one.</summary>
    public static (DataType? Value, string? Error) Parse(Questionnaire.ItemComponent item, string text) => item.Type switch
    {
        Questionnaire.QuestionnaireItemType.Choice or Questionnaire.QuestionnaireItemType.OpenChoice => Choice(item, text),
        Questionnaire.QuestionnaireItemType.Decimal => Number(item, text, integer: false),
        Questionnaire.QuestionnaireItemType.Integer => Number(item, text, integer: true),
        Questionnaire.QuestionnaireItemType.Boolean => Flag(text),
        Questionnaire.QuestionnaireItemType.String or Questionnaire.QuestionnaireItemType.Text => (new FhirString(text), null),
        _ => (null, $"item {item.LinkId} is of type {item.Type}, which a spreadsheet cell cannot answer"),
    };

    /// <summary>Items a row may answer: not groups or display items, not read-only, not calculated by the server.</summary>
    public static bool IsAnswerable(Questionnaire.ItemComponent item) =>
        item.Type is not (Questionnaire.QuestionnaireItemType.Group or Questionnaire.QuestionnaireItemType.Display)
        && item.ReadOnly != true
        && item.Extension.All(e => e.Url != ExtensionUrls.CalculatedExpression);

    private static (DataType?, string?) Choice(Questionnaire.ItemComponent item, string text)
    {
        var options = item.AnswerOption.Where(o => o.Value is Coding).ToList();
        if (options.Count == 0)
        {
            return (null, $"item {item.LinkId} takes answers from a value set, which a spreadsheet cell cannot name");
        }

        var byCode = options.FirstOrDefault(o => string.Equals(((Coding)o.Value).Code, text, StringComparison.OrdinalIgnoreCase)
            || string.Equals(((Coding)o.Value).Display, text, StringComparison.OrdinalIgnoreCase));
        if (byCode is not null)
        {
            return ((Coding)byCode.Value.DeepCopy(), null);
        }

        // Forms print the anchors in order, numbered from the lowest weight up; reverse-scored items print the same
        // numbers (their weights run the other way), so the number is the position, not the weight.
        var first = options.Select(Ordinal).Where(w => w is not null).Select(w => (int)Math.Floor(w!.Value)).DefaultIfEmpty(1).Min();
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var printed)
            && printed - first >= 0 && printed - first < options.Count)
        {
            return ((Coding)options[printed - first].Value.DeepCopy(), null);
        }

        var codes = string.Join(", ", options.Select(o => ((Coding)o.Value).Code));
        return (null, $"'{text}' is not an answer of item {item.LinkId}: give one of {codes}, or a number from {first} to {first + options.Count - 1}");
    }

    private static decimal? Ordinal(Questionnaire.AnswerOptionComponent option) =>
        option.GetExtension(ExtensionUrls.OrdinalValue)?.Value is FhirDecimal { Value: { } weight } ? weight : null;

    private static (DataType?, string?) Number(Questionnaire.ItemComponent item, string text, bool integer)
    {
        // A decimal comma is what spreadsheets in many locales print; a thousands separator has no place in a score.
        var normalized = text.Contains('.', StringComparison.Ordinal) ? text : text.Replace(',', '.');
        if (!decimal.TryParse(normalized, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return (null, $"'{text}' is not a number");
        }

        var min = Limit(item, ExtensionUrls.MinValue);
        var max = Limit(item, ExtensionUrls.MaxValue);
        if (value < min || value > max)
        {
            return (null, $"{text} is outside the range of item {item.LinkId} ({min?.ToString(CultureInfo.InvariantCulture) ?? "…"} to {max?.ToString(CultureInfo.InvariantCulture) ?? "…"})");
        }

        if (integer)
        {
            return value == decimal.Truncate(value) && value is >= int.MinValue and <= int.MaxValue
                ? (new Integer((int)value), null)
                : (null, $"'{text}' is not a whole number");
        }

        var places = item.GetExtension(ExtensionUrls.MaxDecimalPlaces)?.Value is Integer { Value: { } p } ? p : (int?)null;
        if (places is not null && value.Scale > places && decimal.Round(value, places.Value) != value)
        {
            return (null, $"{text} has more than {places} decimal place(s), which item {item.LinkId} allows");
        }

        return (new FhirDecimal(value), null);
    }

    private static decimal? Limit(Questionnaire.ItemComponent item, string url) => item.GetExtension(url)?.Value switch
    {
        FhirDecimal { Value: { } d } => d,
        Integer { Value: { } i } => i,
        _ => null,
    };

    private static (DataType?, string?) Flag(string text) => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "1" => (new FhirBoolean(true), null),
        "false" or "no" or "0" => (new FhirBoolean(false), null),
        _ => (null, $"'{text}' is not true/false or yes/no"),
    };
}
