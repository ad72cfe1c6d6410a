using System.Globalization;
using System.Text;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>
/// A score's trend as inline SVG, drawn on the server: sessions evenly spaced left to right (as feedback systems such
/// as PCOMS chart them), the instrument's cut-offs as dashed lines, and each flagged session marked with a triangle.
/// Screen readers get a title and a one-sentence summary; every point and flag carries its own tooltip title. Nothing
/// relies on colour alone: cut-offs are dashed and labelled, flags have their own shape.
/// </summary>
public static class TrendChart
{
    private const int Width = 640;
    private const int Height = 260;
    private const int Left = 44;
    private const int Right = 20;
    private const int Top = 20;
    private const int Bottom = 46;
    private const int MaxDateLabels = 8;

    public static string Render(ScoreSeries series, string id)
    {
        ArgumentNullException.ThrowIfNull(series);
        var points = series.Points;
        var (low, high, step) = Scale(points.Select(p => p.Value).Concat(series.CutOffs.Select(c => c.Value)));
        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        double X(int i) => points.Count == 1 ? Left + (plotWidth / 2) : Left + (i * plotWidth / (points.Count - 1));
        double Y(decimal v) => Top + plotHeight - ((double)(v - low) / (double)(high - low) * plotHeight);

        var svg = new StringBuilder(2048);
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"trend\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{HtmlPage.E(series.Name)} across sessions</title>")
            .Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">{HtmlPage.E(Summary(series))}</desc>");

        for (var v = low; v <= high; v += step)
        {
            var y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#d0d4da\" stroke-width=\"1\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 8}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"12\" fill=\"#3b4250\">{Number(v)}</text>");
        }

        foreach (var cut in series.CutOffs)
        {
            var y = Y(cut.Value);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"cutoff\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#8a4300\" stroke-width=\"2\" stroke-dasharray=\"8 5\"><title>Cut-off {Number(cut.Value)}: below it, {HtmlPage.E(cut.Meaning)}</title></line>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"cutoff-label\" x=\"{Width - Right}\" y=\"{y - 6:0.#}\" text-anchor=\"end\" font-size=\"12\" fill=\"#8a4300\">cut-off {Number(cut.Value)}</text>");
        }

        if (points.Count > 1)
        {
            var line = string.Join(' ', points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(p.Value):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"line\" points=\"{line}\" fill=\"none\" stroke=\"#1f4e8c\" stroke-width=\"2.5\"/>");
        }

        var labelEvery = Math.Max(1, (int)Math.Ceiling(points.Count / (double)MaxDateLabels));
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var (x, y) = (X(i), Y(p.Value));
            var below = p.CutOff is { } own ? p.Value < own : series.CutOffs.Count > 0 && p.Value < series.CutOffs[^1].Value;
            var tip = $"{Date(p.When)}: {Number(p.Value)}" + (p.Interpretation is null ? string.Empty : $" ({p.Interpretation})");
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"point{(below ? " below" : string.Empty)}\" data-observation=\"{HtmlPage.E(p.ObservationId)}\" cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"5\" fill=\"{(below ? "#ffffff" : "#1f4e8c")}\" stroke=\"#1f4e8c\" stroke-width=\"2.5\"><title>{HtmlPage.E(tip)}</title></circle>");
            if (p.Flags.Count > 0)
            {
                var reasons = string.Join("; ", p.Flags.Select(FlagText.Reason));
                svg.Append(CultureInfo.InvariantCulture, $"<path class=\"flag-mark\" data-observation=\"{HtmlPage.E(p.ObservationId)}\" d=\"M{x:0.#},{y - 22:0.#} l-8,-14 h16 z\" fill=\"#b00020\" stroke=\"#ffffff\" stroke-width=\"1\"><title>Flag: {HtmlPage.E(reasons)}</title></path>");
            }

            if (i % labelEvery == 0 || i == points.Count - 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{x:0.#}\" y=\"{Height - Bottom + 20}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#3b4250\">{Date(p.When)}</text>");
            }
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left + (plotWidth / 2):0.#}\" y=\"{Height - 6}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#3b4250\">session date</text>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The sentence a screen reader reads for the chart.</summary>
    public static string Summary(ScoreSeries series)
    {
        var points = series.Points;
        if (points.Count == 0)
        {
            return "No scores yet.";
        }

        var last = points[^1];
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{points.Count} {(points.Count == 1 ? "score" : "scores")} from {Date(points[0].When)} to {Date(last.When)}; latest {Number(last.Value)}");
        if (last.Interpretation is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({last.Interpretation})");
        }

        foreach (var cut in series.CutOffs)
        {
            text.Append(CultureInfo.InvariantCulture, $"; cut-off {Number(cut.Value)}");
        }

        var flagged = points.Count(p => p.Flags.Count > 0);
        if (flagged > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {flagged} flagged {(flagged == 1 ? "session" : "sessions")}");
        }

        return text.Append('.').ToString();
    }

    public static string Date(DateTimeOffset? when) =>
        when is { } w ? w.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "undated";

    public static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A y-axis from 0 (or below, for negative change scores) to a round number above every value.</summary>
    private static (decimal Low, decimal High, decimal Step) Scale(IEnumerable<decimal> values)
    {
        var all = values.DefaultIfEmpty(0).ToList();
        var min = Math.Min(0, all.Min());
        var max = Math.Max(all.Max(), min + 1);
        var span = max - min;
        var step = span <= 10 ? 2 : span <= 50 ? 10 : span <= 100 ? 20 : Math.Ceiling(span / 5 / 10) * 10;
        var low = Math.Floor(min / step) * step;
        var high = Math.Ceiling(max / step) * step;
        return (low, high == low ? low + step : high, step);
    }
}
