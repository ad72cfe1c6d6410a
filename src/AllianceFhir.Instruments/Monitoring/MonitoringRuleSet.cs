using System.Text.Json.Serialization;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>The rules file (<c>monitoring-rules.json</c>): a version, the rules, and how change scores are derived.</summary>
public sealed class MonitoringRuleSet
{
    public string Version { get; set; } = string.Empty;

    public string? Description { get; set; }

    public List<MonitoringRule> Rules { get; set; } = [];

    public ChangeScoreDefinition? Change { get; set; }
}

/// <summary>One rule. <see cref="Kind"/> says which fields it reads; the validator checks they are there.</summary>
public sealed class MonitoringRule
{
    public string Id { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    /// <summary>Plain words for people: what it means when the rule fires.</summary>
    public string Description { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    /// <summary>The <c>alliance-score</c> codes of the series the rule reads.</summary>
    public List<string> Scores { get; set; } = [];

    public bool Enabled { get; set; } = true;

    /// <summary><c>below</c>, <c>any-below</c>: fires when a score is strictly below this.</summary>
    public decimal? Threshold { get; set; }

    /// <summary><c>drop</c>: fires when the fall from the previous session is strictly greater than this.</summary>
    public decimal? MinDrop { get; set; }

    /// <summary><c>drop</c>: the threshold as a Jacobson–Truax reliable change index instead of <see cref="MinDrop"/>.</summary>
    public ReliableChangeIndex? Rci { get; set; }

    /// <summary><c>change-from-intake</c>, <c>no-improvement-by-session</c>: a change of at least this many points is reliable.</summary>
    public decimal? ReliableChange { get; set; }

    /// <summary><c>change-from-intake</c>: <c>worse</c> (a fall from intake fires).</summary>
    public string? Direction { get; set; }

    /// <summary><c>no-improvement-by-session</c>: the session (intake = 1) by which reliable improvement is expected.</summary>
    public int? Session { get; set; }

    public string? Source { get; set; }

    /// <summary>The fall a <c>drop</c> rule must exceed.</summary>
    [JsonIgnore]
    public decimal DropThreshold => Rci is { } rci ? rci.Threshold : MinDrop ?? 0m;
}

/// <summary>Jacobson &amp; Truax (1991): RCI threshold = z · √2 · SD · √(1 − r).</summary>
public sealed class ReliableChangeIndex
{
    public decimal Reliability { get; set; }

    public decimal Sd { get; set; }

    public decimal Z { get; set; } = 1.96m;

    [JsonIgnore]
    public decimal Threshold => Z * (decimal)Math.Sqrt(2d) * Sd * (decimal)Math.Sqrt((double)(1m - Reliability));
}

/// <summary>The change score Observation derived for every session after intake.</summary>
public sealed class ChangeScoreDefinition
{
    public string Score { get; set; } = string.Empty;

    public string Code { get; set; } = string.Empty;

    public decimal ReliableChange { get; set; }

    public string? Source { get; set; }
}

public static class RuleKinds
{
    public const string Below = "below";
    public const string AnyBelow = "any-below";
    public const string Drop = "drop";
    public const string ChangeFromIntake = "change-from-intake";
    public const string NoImprovementBySession = "no-improvement-by-session";

    public static readonly IReadOnlyList<string> All = [Below, AnyBelow, Drop, ChangeFromIntake, NoImprovementBySession];
}
