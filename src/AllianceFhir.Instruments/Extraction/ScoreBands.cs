using System.Globalization;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Extraction;

/// <summary>One cut-off band of a score item (the <c>score-interpretation</c> extension), with the ages it applies to.</summary>
/// <param name="AgeLow">Lowest age in completed years the band applies to (inclusive); null when open below.</param>
/// <param name="AgeHigh">Highest age in completed years (inclusive); null when open above.</param>
public sealed record ScoreBand(decimal? Min, decimal? MaxExclusive, Coding? Interpretation, string? Text, bool AgeSpecific, int? AgeLow, int? AgeHigh)
{
    public bool Contains(decimal value) => (Min is null || value >= Min) && (MaxExclusive is null || value < MaxExclusive);

    public bool AppliesAt(int age) => !AgeSpecific || ((AgeLow is null || age >= AgeLow) && (AgeHigh is null || age <= AgeHigh));

    /// <summary>"ages 13–17", "age 18 and over"; null for a band without ages.</summary>
    public string? AgeText => !AgeSpecific ? null
        : (AgeLow, AgeHigh) switch
        {
            ({ } low, { } high) => string.Create(CultureInfo.InvariantCulture, $"ages {low}–{high}"),
            ({ } low, null) => string.Create(CultureInfo.InvariantCulture, $"age {low} and over"),
            (null, { } high) => string.Create(CultureInfo.InvariantCulture, $"age {high} and under"),
            _ => "all ages",
        };
}

/// <summary>The bands in force for one score of one subject: which set applied, and why when the age could not choose it.</summary>
/// <param name="Note">Plain words for the Observation when the default (open-ended, adult) bands stood in for an age-appropriate choice.</param>
public sealed record BandChoice(IReadOnlyList<ScoreBand> Bands, string? Note)
{
    /// <summary>The band interpreted as Normal (N): its lower edge is the clinical cut-off.</summary>
    public ScoreBand? Normal => Bands.FirstOrDefault(b => b.Interpretation?.Code == "N" && b.Min is not null);
}

/// <summary>
/// Reads a score item's cut-off bands and picks the ones for the subject's age. A band may carry an <c>age</c>
/// sub-extension (a Range in years, UCUM <c>a</c>, as Observation.referenceRange.age): such bands apply only within it.
/// When the age is unknown, ambiguous (a partial birthDate that straddles a band edge) or outside every band, the
/// open-ended bands (no upper age: the adult norms) apply and the choice carries a note saying so.
/// </summary>
public static class ScoreBands
{
    public static IReadOnlyList<ScoreBand> Of(Questionnaire.ItemComponent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return [.. item.GetExtensions(ExtensionUrls.ScoreInterpretation).Select(b =>
        {
            var age = b.GetExtension("age")?.Value as Hl7.Fhir.Model.Range;
            return new ScoreBand(
                Number(b.GetExtension("min")?.Value),
                Number(b.GetExtension("maxExclusive")?.Value),
                b.GetExtension("interpretation")?.Value as Coding,
                (b.GetExtension("text")?.Value as FhirString)?.Value,
                age is not null,
                Years(age?.Low?.Value),
                Years(age?.High?.Value));
        })];
    }

    /// <summary>Whether any band of the Questionnaire depends on age, so extraction needs the subject's birthDate.</summary>
    public static bool DependOnAge(Questionnaire questionnaire) =>
        ItemTree.Flatten(questionnaire.Item).Any(i => Of(i).Any(b => b.AgeSpecific));

    public static BandChoice Choose(IReadOnlyList<ScoreBand> bands, SubjectAge? age)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (!bands.Any(b => b.AgeSpecific))
        {
            return new BandChoice(bands, null);
        }

        var fallback = bands.Where(b => !b.AgeSpecific || (b.AgeHigh is null && b.AgeLow is not null)).ToList();
        if (age is null || !age.IsKnown)
        {
            return new BandChoice(fallback, $"Age on the response date is unknown ({age?.Unknown ?? "no age was available"}): {Used(fallback)}.");
        }

        var youngest = bands.Where(b => b.AppliesAt(age.MinYears!.Value)).ToList();
        var oldest = bands.Where(b => b.AppliesAt(age.MaxYears!.Value)).ToList();
        if (!youngest.SequenceEqual(oldest))
        {
            return new BandChoice(fallback, string.Create(CultureInfo.InvariantCulture,
                $"Age on the response date is unknown (a partial birthDate or authored date allows {age.MinYears} to {age.MaxYears} years, on both sides of a cut-off age): {Used(fallback)}."));
        }

        if (!youngest.Any(b => b.AgeSpecific))
        {
            var years = age.MinYears == age.MaxYears
                ? string.Create(CultureInfo.InvariantCulture, $"{age.MinYears}")
                : string.Create(CultureInfo.InvariantCulture, $"{age.MinYears}–{age.MaxYears}");
            return new BandChoice(fallback, $"This instrument has no cut-off for age {years}: {Used(fallback)}.");
        }

        return new BandChoice(youngest, null);
    }

    private static string Used(IReadOnlyList<ScoreBand> fallback)
    {
        var normal = fallback.FirstOrDefault(b => b.Interpretation?.Code == "N" && b.Min is not null);
        return normal is null
            ? "the bands without an upper age were used"
            : string.Create(CultureInfo.InvariantCulture, $"the cut-off for {normal.AgeText ?? "all ages"} ({normal.Min!.Value:0.##}) was used");
    }

    private static decimal? Number(DataType? value) => value switch
    {
        FhirDecimal d => d.Value,
        Integer i => i.Value,
        _ => null,
    };

    private static int? Years(decimal? value) => value is { } v ? (int)Math.Floor(v) : null;
}
