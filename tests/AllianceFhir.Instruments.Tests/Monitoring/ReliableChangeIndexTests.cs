using AllianceFhir.Instruments.Monitoring;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Instruments.Tests.Monitoring;

/// <summary>
/// Jacobson &amp; Truax (1991): SE = SD·√(1 − r), S_diff = √2·SE, and a change is reliable when |x2 − x1| &gt; 1.96·S_diff.
/// The reliabilities and SDs here are round numbers chosen so the thresholds can be worked out by hand; they are not the
/// published values of any instrument (see docs/monitoring.md for why the WAI-SR and HAq-II rules ship disabled).
/// </summary>
public class ReliableChangeIndexTests
{
    [Theory]
    // r = .75, SD = 10: SE = 10·√.25 = 5; S_diff = √2·5 = 7.07107; 1.96·S_diff = 13.8593.
    [InlineData(0.75, 10, 13.8593)]
    // r = .84, SD = 5: SE = 5·√.16 = 2; S_diff = 2.8284; 1.96·S_diff = 5.5437.
    [InlineData(0.84, 5, 5.5437)]
    // r = .91, SD = 8: SE = 8·√.09 = 2.4; S_diff = 3.3941; 1.96·S_diff = 6.6525.
    [InlineData(0.91, 8, 6.6525)]
    public void Threshold_is_1_96_times_the_standard_error_of_the_difference(double reliability, double sd, double threshold)
    {
        var rci = new ReliableChangeIndex { Reliability = (decimal)reliability, Sd = (decimal)sd };

        Assert.Equal((decimal)threshold, Math.Round(rci.Threshold, 4));
    }

    [Theory]
    // Threshold 5.5437 (r = .84, SD = 5): a fall of 5.5 is within measurement error, 5.6 is not, and a rise never fires.
    [InlineData(40, 34.5, false)]
    [InlineData(40, 34.4, true)]
    [InlineData(40, 34, true)]
    [InlineData(34, 40, false)]
    public void A_drop_rule_with_an_rci_fires_only_beyond_the_threshold(double before, double after, bool fires)
    {
        var rule = new MonitoringRule
        {
            Id = "test-drop",
            Title = "t",
            Description = "d",
            Kind = RuleKinds.Drop,
            Scores = ["wai-sr-total"],
            Rci = new ReliableChangeIndex { Reliability = 0.84m, Sd = 5m },
        };
        IReadOnlyList<ScorePoint> series =
        [
            new("o1", "wai-sr-total", (decimal)before, new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), "QuestionnaireResponse/r1", null),
            new("o2", "wai-sr-total", (decimal)after, new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero), "QuestionnaireResponse/r2", null),
        ];

        var flags = RuleEvaluator.Flags([rule], series);

        Assert.Equal(fires, flags.Count == 1);
        if (fires)
        {
            Assert.Contains("more than the reliable-change threshold of 5.54", flags[0].Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_shipped_wai_sr_and_haq_ii_rules_stay_disabled_until_their_values_are_sourced()
    {
        var rules = new MonitoringRules(Options.Create(new MonitoringOptions()));

        var rci = rules.Set.Rules.Where(r => r.Rci is not null).ToList();
        Assert.Equal(["haq-ii-total-drop", "wai-sr-bond-drop", "wai-sr-goal-drop", "wai-sr-task-drop", "wai-sr-total-drop"], rci.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.All(rci, r => Assert.False(r.Enabled));
        Assert.All(rci, r => Assert.Contains("PLACEHOLDER", r.Source, StringComparison.Ordinal));
        Assert.DoesNotContain(rules.Enabled, r => r.Rci is not null);
    }
}
