using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Extraction;

/// <summary>
/// SDC observation-based extraction: one Observation per answer of every coded item whose nearest
/// <c>observationExtract</c> flag (on the item, an ancestor item, or the Questionnaire) is true. Scores become
/// <c>valueQuantity</c> in <c>{score}</c> (decimal) or <c>valueInteger</c>; cut-off bands set <c>interpretation</c>.
/// </summary>
public static class ObservationExtractor
{
    private static readonly HashSet<string> PerformerTypes = ["Practitioner", "PractitionerRole", "Organization", "CareTeam", "Patient", "RelatedPerson"];

    public static IReadOnlyList<Observation> Extract(Questionnaire questionnaire, QuestionnaireResponse response, string? responseReference)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(response);
        var observations = new List<Observation>();
        var rootFlag = Flag(questionnaire) ?? false;
        Walk(questionnaire.Item, response.Item, rootFlag, questionnaire, response, responseReference, observations);
        return observations;
    }

    /// <summary>The key an Observation is matched on when a response is re-derived: its first code.</summary>
    public static string? CodeKey(Observation observation) =>
        observation.Code?.Coding.FirstOrDefault(c => c.System == ExtensionUrls.AllianceScoreSystem) is { } own
            ? $"{own.System}|{own.Code}"
            : observation.Code?.Coding.FirstOrDefault() is { } first ? $"{first.System}|{first.Code}" : null;

    private static void Walk(
        List<Questionnaire.ItemComponent> definitions,
        List<QuestionnaireResponse.ItemComponent> items,
        bool inherited,
        Questionnaire questionnaire,
        QuestionnaireResponse response,
        string? responseReference,
        List<Observation> observations)
    {
        foreach (var definition in definitions)
        {
            var extract = Flag(definition) ?? inherited;
            foreach (var item in items.Where(i => i.LinkId == definition.LinkId))
            {
                if (extract && definition.Code.Count > 0)
                {
                    observations.AddRange(item.Answer.Select(a => a.Value).OfType<DataType>()
                        .Select(value => Build(definition, value, questionnaire, response, responseReference)));
                }

                var children = item.Item.Concat(item.Answer.SelectMany(a => a.Item)).ToList();
                Walk(definition.Item, children, extract, questionnaire, response, responseReference, observations);
            }
        }
    }

    private static bool? Flag(IExtendable element) =>
        (element.GetExtension(ExtensionUrls.ObservationExtract)?.Value as FhirBoolean)?.Value;

    private static Observation Build(Questionnaire.ItemComponent definition, DataType answer, Questionnaire questionnaire, QuestionnaireResponse response, string? responseReference)
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Category = [new CodeableConcept(ExtensionUrls.ObservationCategorySystem, "survey", "Survey")],
            Code = new CodeableConcept { Coding = definition.Code.Select(c => (Coding)c.DeepCopy()).ToList(), Text = definition.Text },
            Subject = (ResourceReference?)response.Subject?.DeepCopy(),
            Encounter = (ResourceReference?)response.Encounter?.DeepCopy(),
            Effective = response.AuthoredElement is { } authored ? new FhirDateTime(authored.Value) : null,
            Value = ValueOf(definition, answer),
        };
        if (response.Author?.Reference is { } author && PerformerTypes.Contains(author.Split('/')[0]))
        {
            observation.Performer.Add((ResourceReference)response.Author.DeepCopy());
        }

        if (responseReference is not null)
        {
            observation.DerivedFrom.Add(new ResourceReference(responseReference));
        }

        if (Number(answer) is { } number && Band(definition, number) is { } band)
        {
            observation.Interpretation.Add(band);
        }

        if (questionnaire.Url is not null)
        {
            // Lets a reader trace the score back to the exact instrument version that defined it.
            observation.Extension.Add(new Extension(
                "http://hl7.org/fhir/StructureDefinition/workflow-instantiatesCanonical",
                new Canonical(questionnaire.Version is null ? questionnaire.Url : $"{questionnaire.Url}|{questionnaire.Version}")));
        }

        return observation;
    }

    private static DataType ValueOf(Questionnaire.ItemComponent definition, DataType answer) => answer switch
    {
        FhirDecimal d => new Quantity
        {
            Value = d.Value,
            Unit = Unit(definition)?.Display ?? "{score}",
            System = Unit(definition)?.System ?? ExtensionUrls.Ucum,
            Code = Unit(definition)?.Code ?? "{score}",
        },
        Coding c => new CodeableConcept { Coding = [(Coding)c.DeepCopy()] },
        Date d => new FhirDateTime(d.Value),
        FhirUri u => new FhirString(u.Value),
        Attachment or ResourceReference => new FhirString(answer.ToString()),
        _ => (DataType)answer.DeepCopy(),
    };

    private static Coding? Unit(Questionnaire.ItemComponent definition) =>
        definition.GetExtension("http://hl7.org/fhir/StructureDefinition/questionnaire-unit")?.Value as Coding;

    private static decimal? Number(DataType value) => value switch
    {
        Integer i => i.Value,
        FhirDecimal d => d.Value,
        Quantity q => q.Value,
        _ => null,
    };

    /// <summary>The interpretation of the first band containing the value (min inclusive, maxExclusive exclusive).</summary>
    private static CodeableConcept? Band(Questionnaire.ItemComponent definition, decimal value)
    {
        foreach (var band in definition.GetExtensions(ExtensionUrls.ScoreInterpretation))
        {
            var min = Decimal(band.GetExtension("min")?.Value);
            var maxExclusive = Decimal(band.GetExtension("maxExclusive")?.Value);
            if ((min is null || value >= min) && (maxExclusive is null || value < maxExclusive))
            {
                var concept = new CodeableConcept { Text = (band.GetExtension("text")?.Value as FhirString)?.Value };
                if (band.GetExtension("interpretation")?.Value is Coding coding)
                {
                    concept.Coding.Add((Coding)coding.DeepCopy());
                }

                return concept;
            }
        }

        return null;
    }

    private static decimal? Decimal(DataType? value) => value switch
    {
        FhirDecimal d => d.Value,
        Integer i => i.Value,
        _ => null,
    };
}
