using System.Text.Json;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// The rules in force: the shipped <c>monitoring-rules.json</c>, or the file <c>Monitoring:RulesFile</c> names. Loaded
/// and validated once; a bad file throws <see cref="InvalidOperationException"/> naming the rule and field, so resolve
/// this at start-up.
/// </summary>
public sealed class MonitoringRules
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public MonitoringRules(IOptions<MonitoringOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var file = options.Value.RulesFile;
        Set = string.IsNullOrWhiteSpace(file) ? LoadShipped() : Load(File.ReadAllText(file), file);
    }

    public MonitoringRuleSet Set { get; }

    public IEnumerable<MonitoringRule> Enabled => Set.Rules.Where(r => r.Enabled);

    /// <summary>Every score code a rule or the change score reads.</summary>
    public IReadOnlySet<string> ScoreCodes => Set.Rules.Where(r => r.Enabled).SelectMany(r => r.Scores)
        .Concat(Set.Change is { } c ? [c.Score] : []).ToHashSet(StringComparer.Ordinal);

    public static MonitoringRuleSet Load(string json, string name)
    {
        MonitoringRuleSet? set;
        try
        {
            set = JsonSerializer.Deserialize<MonitoringRuleSet>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Monitoring rules '{name}' are not valid JSON: {ex.Message}", ex);
        }

        if (set is null)
        {
            throw new InvalidOperationException($"Monitoring rules '{name}' are empty");
        }

        var result = new MonitoringRuleSetValidator().Validate(set);
        if (!result.IsValid)
        {
            throw new InvalidOperationException($"Monitoring rules '{name}' are invalid: " + string.Join("; ", result.Errors.Select(e => e.ErrorMessage)));
        }

        return set;
    }

    private static MonitoringRuleSet LoadShipped()
    {
        var assembly = typeof(MonitoringRules).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("monitoring-rules.json", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return Load(reader.ReadToEnd(), "monitoring-rules.json");
    }
}

/// <summary>The <c>Monitoring</c> configuration section.</summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Monitoring";

    /// <summary>A rules file replacing the shipped one; empty means the shipped rules.</summary>
    public string? RulesFile { get; set; }
}
