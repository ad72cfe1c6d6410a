namespace AllianceFhir.Instruments.Fhir;

/// <summary>The extension and code-system URLs the instruments read and write, in one place.</summary>
public static class ExtensionUrls
{
    public const string CanonicalBase = "http://alliancefhir.org/fhir";
    public const string AllianceScoreSystem = CanonicalBase + "/CodeSystem/alliance-score";

    /// <summary>
    /// Our cut-off convention: a repeating complex extension on a score item, one per band, with sub-extensions
    /// <c>min</c> (inclusive), <c>maxExclusive</c>, <c>interpretation</c> (Coding) and <c>text</c>. R4 has no standard
    /// element for cut-offs on a Questionnaire item; the shape mirrors ObservationDefinition.qualifiedInterval
    /// (range + interpretation) but uses a half-open interval so "total &lt; 36" is exact for decimal scores.
    /// </summary>
    public const string ScoreInterpretation = CanonicalBase + "/StructureDefinition/score-interpretation";

    public const string OrdinalValue = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
    public const string ItemWeight = "http://hl7.org/fhir/StructureDefinition/itemWeight";
    public const string CalculatedExpression = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
    public const string ObservationExtractCategory = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observation-extract-category";
    public const string ObservationExtract = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract";
    public const string EnableWhenExpression = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression";
    public const string Translation = "http://hl7.org/fhir/StructureDefinition/translation";
    public const string Variable = "http://hl7.org/fhir/StructureDefinition/variable";
    public const string QuestionnaireUnit = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
    public const string WorkflowInstantiatesCanonical = "http://hl7.org/fhir/StructureDefinition/workflow-instantiatesCanonical";

    /// <summary>R5's ValueSet.expansion.contains.property carried in R4 (where the SDC examples put itemWeight).</summary>
    public const string ExpansionContainsProperty = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property";

    public const string MinValue = "http://hl7.org/fhir/StructureDefinition/minValue";
    public const string MaxValue = "http://hl7.org/fhir/StructureDefinition/maxValue";
    public const string MinLength = "http://hl7.org/fhir/StructureDefinition/minLength";
    public const string MaxDecimalPlaces = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces";
    public const string Regex = "http://hl7.org/fhir/StructureDefinition/regex";
    public const string MinOccurs = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs";
    public const string MaxOccurs = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs";
    public const string MaxSize = "http://hl7.org/fhir/StructureDefinition/maxSize";
    public const string MimeType = "http://hl7.org/fhir/StructureDefinition/mimeType";
    public const string ReferenceResource = "http://hl7.org/fhir/StructureDefinition/questionnaire-referenceResource";
    public const string OptionExclusive = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive";

    public const string MinQuantity = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-minQuantity";
    public const string MaxQuantity = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-maxQuantity";
    public const string UnitOption = "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption";

    public const string ObservationCategorySystem = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string InterpretationSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    public const string Ucum = "http://unitsofmeasure.org";
}
