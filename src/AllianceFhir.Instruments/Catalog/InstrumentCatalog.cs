using System.Reflection;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Instruments.Catalog;

/// <summary>
/// The instruments shipped with the server: one embedded Questionnaire JSON per instrument version plus the
/// code systems, worded by the deployer's text packs. Loaded once; callers get copies they may change freely.
/// </summary>
public sealed class InstrumentCatalog
{
    private const string ResourcePrefix = "AllianceFhir.Instruments.Catalog.";

    private readonly List<Questionnaire> _questionnaires = [];
    private readonly List<CodeSystem> _codeSystems = [];
    private readonly List<Questionnaire> _withheld = [];

    public InstrumentCatalog(IOptions<InstrumentOptions> options)
        : this(options.Value)
    {
    }

    public InstrumentCatalog(InstrumentOptions options)
    {
        var assembly = typeof(InstrumentCatalog).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            switch (Load(assembly, name))
            {
                case Questionnaire q:
                    _questionnaires.Add(q);
                    break;
                case CodeSystem cs:
                    _codeSystems.Add(cs);
                    break;
                case var other:
                    throw new InvalidOperationException($"Catalog resource {name} is a {other.TypeName}; only Questionnaire and CodeSystem belong there.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.TextPacks))
        {
            TextPackLoader.Apply(_questionnaires, TextPackLoader.ReadFolder(options.TextPacks), options.PrimaryLanguage);
        }

        // After the text packs, so a deployer's pack for a demonstration instrument is still checked, then unused.
        if (!options.Demo)
        {
            _withheld.AddRange(_questionnaires.Where(q => q.Experimental == true));
            _questionnaires.RemoveAll(q => q.Experimental == true);
        }
    }

    /// <summary>
    /// The demonstration Questionnaires (marked <c>experimental</c>) left out because <c>Instruments:Demo</c> is off, as
    /// ids: seeding removes an earlier stored copy, so a server once started with the demo drops it.
    /// </summary>
    public IReadOnlyList<string> Withheld => [.. _withheld.Select(q => q.Id).OfType<string>()];

    /// <summary>Every shipped instrument version (copies).</summary>
    public IReadOnlyList<Questionnaire> GetQuestionnaires() => _questionnaires.Select(q => (Questionnaire)q.DeepCopy()).ToList();

    /// <summary>The published code systems, alliance-score among them (copies).</summary>
    public IReadOnlyList<CodeSystem> GetCodeSystems() => _codeSystems.Select(c => (CodeSystem)c.DeepCopy()).ToList();

    /// <summary>Questionnaires and code systems together: what the server seeds into its store.</summary>
    public IReadOnlyList<Resource> GetAllResources() => [.. GetQuestionnaires(), .. GetCodeSystems()];

    /// <summary>The shipped resource stored under this type and id, or null. Shared: callers must not change it.</summary>
    internal Resource? Shipped(string resourceType, string id) =>
        Shipped().FirstOrDefault(r => r.TypeName == resourceType && r.Id == id);

    /// <summary>The shipped resource of this type with this canonical url and version, or null. Shared: callers must not change it.</summary>
    internal Resource? ShippedCanonical(string resourceType, string url, string version) =>
        Shipped().FirstOrDefault(r => r.TypeName == resourceType && r is IVersionableConformanceResource c && c.Url == url && c.Version == version);

    /// <summary>One instrument version by canonical url and version, or null.</summary>
    public Questionnaire? Find(string url, string version) =>
        _questionnaires.FirstOrDefault(q => q.Url == url && q.Version == version)?.DeepCopy() as Questionnaire;

    private IEnumerable<Resource> Shipped() => _questionnaires.Cast<Resource>().Concat(_codeSystems);

    private static Resource Load(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded catalog resource {name} is missing.");
        using var reader = new StreamReader(stream);
        try
        {
            // Strict, as every request body is: a catalog file is stored as it is and read back with the strict
            // parser, so anything a lenient parse let through would break every read of that instrument.
            return FhirSerialization.JsonDeserializer.DeserializeResource(reader.ReadToEnd());
        }
        catch (DeserializationFailedException ex)
        {
            throw new InvalidOperationException($"Embedded catalog resource {name} is not valid FHIR JSON: {ex.Message}", ex);
        }
    }
}
