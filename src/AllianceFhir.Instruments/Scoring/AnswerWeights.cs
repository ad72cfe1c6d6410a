using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Scoring;

/// <summary>
/// Finds the scoring weight of a coded answer the way SDC renderers do: the answerOption's <c>ordinalValue</c> (or the
/// newer <c>itemWeight</c>) extension, the same extensions on the option's <c>valueCoding</c> or the answer Coding
/// itself, then a contained ValueSet expansion or contained CodeSystem concept carrying them.
/// </summary>
public static class AnswerWeights
{
    public static decimal? Find(Questionnaire? questionnaire, Questionnaire.ItemComponent? item, Coding coding)
    {
        if (item is not null)
        {
            foreach (var option in item.AnswerOption)
            {
                if (option.Value is Coding optionCoding && SameCode(optionCoding, coding))
                {
                    var weight = FromExtensions(option) ?? FromExtensions(optionCoding);
                    if (weight is not null)
                    {
                        return weight;
                    }
                }
            }
        }

        var own = FromExtensions(coding);
        if (own is not null || questionnaire is null)
        {
            return own;
        }

        foreach (var contained in questionnaire.Contained)
        {
            switch (contained)
            {
                case ValueSet vs:
                    var entry = Flatten(vs.Expansion?.Contains ?? []).FirstOrDefault(c => c.Code == coding.Code && (coding.System is null || c.System is null || c.System == coding.System));
                    var fromExpansion = entry is null ? null : FromExtensions(entry) ?? FromExpansionProperty(entry);
                    if (fromExpansion is not null)
                    {
                        return fromExpansion;
                    }

                    // LHC-Forms puts the weight on the enumerated concepts of the compose instead.
                    var concept = (vs.Compose?.Include ?? [])
                        .Where(i => coding.System is null || i.System is null || i.System == coding.System)
                        .SelectMany(i => i.Concept)
                        .FirstOrDefault(c => c.Code == coding.Code);
                    var fromCompose = concept is null ? null : FromExtensions(concept);
                    if (fromCompose is not null)
                    {
                        return fromCompose;
                    }

                    break;
                case CodeSystem cs when coding.System is null || cs.Url == coding.System:
                    var definition = FlattenConcepts(cs.Concept).FirstOrDefault(c => c.Code == coding.Code);
                    var fromConcept = definition is null ? null : FromExtensions(definition) ?? FromProperty(definition);
                    if (fromConcept is not null)
                    {
                        return fromConcept;
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>Codings match on code, and on system when both carry one (renderers often drop it).</summary>
    public static bool SameCode(Coding a, Coding b) =>
        a.Code == b.Code && (a.System is null || b.System is null || a.System == b.System);

    private static decimal? FromExtensions(IExtendable element)
    {
        foreach (var ext in element.Extension)
        {
            if (ext.Url is ExtensionUrls.OrdinalValue or ExtensionUrls.ItemWeight)
            {
                return ext.Value switch
                {
                    FhirDecimal d => d.Value,
                    Integer i => i.Value,
                    _ => null,
                };
            }
        }

        return null;
    }

    /// <summary>R5 expansion properties as carried in R4 (the SDC examples' itemWeight on expansion.contains).</summary>
    private static decimal? FromExpansionProperty(ValueSet.ContainsComponent entry)
    {
        foreach (var property in entry.GetExtensions(ExtensionUrls.ExpansionContainsProperty))
        {
            if ((property.GetExtension("code")?.Value as Code)?.Value is "itemWeight" or "ordinalValue")
            {
                return property.GetExtension("value[x]")?.Value switch
                {
                    FhirDecimal d => d.Value,
                    Integer i => i.Value,
                    _ => null,
                };
            }
        }

        return null;
    }

    private static decimal? FromProperty(CodeSystem.ConceptDefinitionComponent concept)
    {
        var property = concept.Property.FirstOrDefault(p => p.Code is "itemWeight" or "ordinalValue" or "weight");
        return property?.Value switch
        {
            FhirDecimal d => d.Value,
            Integer i => i.Value,
            _ => null,
        };
    }

    private static IEnumerable<ValueSet.ContainsComponent> Flatten(IEnumerable<ValueSet.ContainsComponent> contains) =>
        contains.SelectMany(c => new[] { c }.Concat(Flatten(c.Contains)));

    private static IEnumerable<CodeSystem.ConceptDefinitionComponent> FlattenConcepts(IEnumerable<CodeSystem.ConceptDefinitionComponent> concepts) =>
        concepts.SelectMany(c => new[] { c }.Concat(FlattenConcepts(c.Concept)));
}
