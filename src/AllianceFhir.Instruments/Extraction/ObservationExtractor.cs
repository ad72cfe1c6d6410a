using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Extraction;

/// <summary>
/// SDC observation-based extraction: one Observation per answer of every coded item whose nearest
/// <c>observationExtract</c> flag (on the item, an ancestor item, or the Questionnaire) is true. Scores become
/// <c>valueQuantity</c> in <c>{score}</c> (decimal) or <c>valueInteger</c>; cut-off bands set <c>interpretation</c>
/// and <c>referenceRange</c>, chosen for the subject's age on the authored date where the bands depend on age.
/// </summary>
public static class ObservationExtractor
{
    private static readonly HashSet<string> PerformerTypes = ["Practitioner", "PractitionerRole", "Organization", "CareTeam", "Patient", "RelatedPerson"];

    /// <param name="age">The subject's age on the authored date; only read by age-dependent bands (null: unknown).</param>
    public static IReadOnlyList<Observation> Extract(Questionnaire questionnaire, QuestionnaireResponse response, string? responseReference, SubjectAge? age = null)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(response);
        var observations = new List<Observation>();
        var rootFlag = Flag(questionnaire) ?? false;
        var scope = new Scope(questionnaire, response, responseReference, observations, age);
        Walk(questionnaire.Item, response.Item, rootFlag, Category(questionnaire), scope);
        return observations;
    }

    /// <summary>The key an Observation is matched on when a response is re-derived: its first code.</summary>
    public static string? CodeKey(Observation observation) =>
        observation.Code?.Coding.FirstOrDefault(c => c.System == ExtensionUrls.AllianceScoreSystem) is { } own
            ? $"{own.System}|{own.Code}"
            : observation.Code?.Coding.FirstOrDefault() is { } first ? $"{first.System}|{first.Code}" : null;

    private sealed record Scope(Questionnaire Questionnaire, QuestionnaireResponse Response, string? ResponseReference, List<Observation> Observations, SubjectAge? Age);

    private static void Walk(
        List<Questionnaire.ItemComponent> definitions,
        List<QuestionnaireResponse.ItemComponent> items,
        bool inherited,
        List<CodeableConcept>? inheritedCategory,
        Scope scope)
    {
        foreach (var definition in definitions)
        {
            var extract = Flag(definition) ?? inherited;
            var category = Category(definition) ?? inheritedCategory;
            foreach (var item in items.Where(i => i.LinkId == definition.LinkId))
            {
                var codes = ExtractedCodes(definition);
                if (extract && codes.Count > 0)
                {
                    scope.Observations.AddRange(item.Answer.Select(a => a.Value).OfType<DataType>()
                        .Select(value => Build(definition, codes, category, value, scope)));
                }

                var children = item.Item.Concat(item.Answer.SelectMany(a => a.Item)).ToList();
                Walk(definition.Item, children, extract, category, scope);
            }
        }
    }

    private static bool? Flag(IExtendable element) =>
        (element.GetExtension(ExtensionUrls.ObservationExtract)?.Value as FhirBoolean)?.Value;

    /// <summary>The item's observation-extract-category, which replaces (not adds to) what an ancestor declared.</summary>
    private static List<CodeableConcept>? Category(IExtendable element)
    {
        var categories = element.GetExtensions(ExtensionUrls.ObservationExtractCategory).Select(e => e.Value).OfType<CodeableConcept>().ToList();
        return categories.Count > 0 ? categories : null;
    }

    /// <summary>When some item.code carries observationExtract=true, only those codes go to Observation.code.</summary>
    private static List<Coding> ExtractedCodes(Questionnaire.ItemComponent definition)
    {
        var tagged = definition.Code.Where(c => Flag(c) == true).ToList();
        return tagged.Count > 0 ? tagged : definition.Code.Where(c => Flag(c) != false).ToList();
    }

    private static Observation Build(Questionnaire.ItemComponent definition, List<Coding> codes, List<CodeableConcept>? category, DataType answer, Scope scope)
    {
        var (questionnaire, response, responseReference, _, _) = scope;
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            BasedOn = response.BasedOn.Select(r => (ResourceReference)r.DeepCopy()).ToList(),
            PartOf = response.PartOf.Select(r => (ResourceReference)r.DeepCopy()).ToList(),
            Category = category?.Select(c => (CodeableConcept)c.DeepCopy()).ToList()
                ?? [new CodeableConcept(ExtensionUrls.ObservationCategorySystem, "survey", "Survey")],
            Code = new CodeableConcept { Coding = codes.Select(c => (Coding)c.DeepCopy()).ToList(), Text = definition.Text },
            Subject = (ResourceReference?)response.Subject?.DeepCopy(),
            Encounter = (ResourceReference?)response.Encounter?.DeepCopy(),
            Effective = response.AuthoredElement is { } authored ? new FhirDateTime(authored.Value) : null,
            Issued = response.AuthoredElement?.ToDateTimeOffset(TimeSpan.Zero),
            Value = ValueOf(definition, answer),
        };
        foreach (var coding in observation.Code.Coding)
        {
            // The extraction flag belongs to the Questionnaire, not to the Observation's code.
            coding.Extension.RemoveAll(e => e.Url == ExtensionUrls.ObservationExtract);
        }

        // R4: source is "the person who answered", author the one who recorded the answers. The rater of a
        // self-rated instrument is who answered (the client, or a caretaker as RelatedPerson), so source wins.
        if (Rater(response) is { } rater)
        {
            observation.Performer.Add((ResourceReference)rater.DeepCopy());
        }

        if (responseReference is not null)
        {
            observation.DerivedFrom.Add(new ResourceReference(responseReference));
        }

        var bands = ScoreBands.Choose(ScoreBands.Of(definition), scope.Age);
        if (Number(answer) is { } number && bands.Bands.FirstOrDefault(b => b.Contains(number)) is { } band)
        {
            var concept = new CodeableConcept { Text = band.Text };
            if (band.Interpretation is { } coding)
            {
                concept.Coding.Add((Coding)coding.DeepCopy());
            }

            observation.Interpretation.Add(concept);
        }

        if (bands.Normal is { Min: { } cutOff } normal)
        {
            // The clinical cut-off travels with the score, so trend views and change rules read the one that applied.
            var range = new Observation.ReferenceRangeComponent
            {
                Low = new Quantity { Value = cutOff, Unit = "{score}", System = ExtensionUrls.Ucum, Code = "{score}" },
                Text = normal.AgeText is { } ages
                    ? $"clinical cut-off for {ages}: {Format(cutOff)} and above is in the normal range"
                    : $"clinical cut-off: {Format(cutOff)} and above is in the normal range",
            };
            if (normal.AgeSpecific)
            {
                range.Age = new Hl7.Fhir.Model.Range { Low = Years(normal.AgeLow), High = Years(normal.AgeHigh) };
            }

            observation.ReferenceRange.Add(range);
        }

        if (bands.Note is { } note)
        {
            observation.Note.Add(new Annotation { Text = note });
        }

        if (questionnaire.Url is not null)
        {
            // Lets a reader trace the score back to the exact instrument version that defined it.
            observation.Extension.Add(new Extension(
                ExtensionUrls.WorkflowInstantiatesCanonical,
                new Canonical(questionnaire.Version is null ? questionnaire.Url : $"{questionnaire.Url}|{questionnaire.Version}")));
        }

        return observation;
    }

    private static ResourceReference? Rater(QuestionnaireResponse response) =>
        new[] { response.Source, response.Author }.FirstOrDefault(r => r?.Reference is { } reference && PerformerTypes.Contains(reference.Split('/')[0]));

    private static DataType ValueOf(Questionnaire.ItemComponent definition, DataType answer) => answer switch
    {
        // SDC: with a questionnaire-unit the value is a Quantity even for integers.
        Integer { Value: { } i } when Unit(definition) is { } unit => new Quantity { Value = i, Unit = unit.Display ?? unit.Code, System = unit.System, Code = unit.Code },
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
        definition.GetExtension(ExtensionUrls.QuestionnaireUnit)?.Value as Coding;

    private static decimal? Number(DataType value) => value switch
    {
        Integer i => i.Value,
        FhirDecimal d => d.Value,
        Quantity q => q.Value,
        _ => null,
    };

    private static string Format(decimal value) => value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An age in years as referenceRange.age wants it: UCUM <c>a</c>.</summary>
    private static Quantity? Years(int? years) =>
        years is { } y ? new Quantity { Value = y, Unit = "years", System = ExtensionUrls.Ucum, Code = "a" } : null;
}
