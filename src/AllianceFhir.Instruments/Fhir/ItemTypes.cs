using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace AllianceFhir.Instruments.Fhir;

/// <summary>
/// Safe access to an item's type. Firely throws when reading <c>Type</c> for a code outside its enum (R4's abstract
/// <c>question</c> type parses but has no enum member), and a stored custom Questionnaire must never crash validation.
/// </summary>
public static class ItemTypes
{
    public const string AbstractQuestion = "question";

    public static string? RawType(this Questionnaire.ItemComponent item) => item.TypeElement?.JsonValue as string;

    public static Questionnaire.QuestionnaireItemType? KnownType(this Questionnaire.ItemComponent item) =>
        item.RawType() is { } raw ? EnumUtility.ParseLiteral<Questionnaire.QuestionnaireItemType>(raw) : null;
}
