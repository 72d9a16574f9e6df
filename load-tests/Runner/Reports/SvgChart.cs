using System.Globalization;
using System.Text;

namespace OrleansVoucher.LoadTests.Runner.Reports;

/// <summary>One line of a chart.</summary>
/// <param name="Name">The legend's label.</param>
/// <param name="Color">A CSS colour.</param>
/// <param name="Values">One value per point; null leaves a gap.</param>
/// <param name="Dashed">Drawn dashed (targets, comparisons).</param>
/// <param name="Area">Filled down to the axis.</param>
/// <param name="Thin">Drawn thin (context lines such as the maximum).</param>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<double?> Values, bool Dashed = false, bool Area = false, bool Thin = false);

/// <summary>
/// Draws a line chart as inline SVG: time in seconds along the bottom, rounded gridlines, one path per
/// series. Written here so that the HTML report needs no script library and no network.
/// </summary>
internal static class SvgChart
{
    public const int Width = 1000;
    private const int Left = 62;
    private const int Right = 16;
    private const int Top = 26;
    private const int Bottom = 34;

    /// <summary>
    /// The chart's SVG; <paramref name="x"/> holds each point's time in seconds, or another quantity
    /// labelled by <paramref name="xTick"/>. <paramref name="marker"/> draws a labelled vertical line at that x.
    /// </summary>
    public static string Render(IReadOnlyList<double> x, IReadOnlyList<ChartSeries> series, string yUnit, int height, Func<double, string>? xTick = null, (double X, string Label)? marker = null)
    {
        var plotWidth = Width - Left - Right;
        var plotHeight = height - Top - Bottom;
        var xMax = x.Count == 0 ? 1 : Math.Max(x[^1], 1e-9);
        var yMax = series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        var yStep = NiceStep(yMax <= 0 ? 1 : yMax / 4);
        var yTop = Math.Max(yStep, Math.Ceiling(yMax / yStep) * yStep);

        double X(double seconds) => Left + (seconds / xMax * plotWidth);
        double Y(double value) => Top + plotHeight - (value / yTop * plotHeight);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"plot\" viewBox=\"0 0 {Width} {height}\" role=\"img\" data-left=\"{Left}\" data-right=\"{Width - Right}\" data-top=\"{Top}\" data-bottom=\"{height - Bottom}\">");

        for (var tick = 0.0; tick <= yTop + (yStep / 2); tick += yStep)
        {
            var y = F(Y(tick));
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y}\" y2=\"{y}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 8}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Tick(tick, yStep)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"unit\" x=\"{Left - 8}\" y=\"{Top - 14}\" text-anchor=\"end\">{yUnit}</text>");

        var xStep = NiceStep(xMax / 8);
        for (var tick = 0.0; tick <= xMax + 1e-9; tick += xStep)
        {
            var px = F(X(tick));
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"xtick\" x1=\"{px}\" x2=\"{px}\" y1=\"{height - Bottom}\" y2=\"{height - Bottom + 5}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{px}\" y=\"{height - Bottom + 18}\" text-anchor=\"middle\">{(xTick ?? TimeTick)(tick)}</text>");
        }

        if (marker is { } mark)
        {
            var mx = F(X(mark.X));
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"marker\" x1=\"{mx}\" x2=\"{mx}\" y1=\"{Top}\" y2=\"{height - Bottom}\"/>");
            var anchor = X(mark.X) > Width * 0.8 ? "end" : X(mark.X) < Width * 0.2 ? "start" : "middle";
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"marker-label\" x=\"{mx}\" y=\"{Top - 8}\" text-anchor=\"{anchor}\">{System.Net.WebUtility.HtmlEncode(mark.Label)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{height - Bottom}\" y2=\"{height - Bottom}\"/>");

        foreach (var line in series)
        {
            foreach (var run in Runs(line.Values))
            {
                var points = string.Join(' ', run.Select(i => $"{F(X(x[i]))},{F(Y(line.Values[i]!.Value))}"));
                if (line.Area)
                {
                    var baseline = F(Y(0));
                    svg.Append(CultureInfo.InvariantCulture, $"<polygon class=\"area\" fill=\"{line.Color}\" points=\"{F(X(x[run[0]]))},{baseline} {points} {F(X(x[run[^1]]))},{baseline}\"/>");
                }

                var style = line.Dashed ? " stroke-dasharray=\"6 4\"" : string.Empty;
                var width = line.Thin ? "1.2" : "2";
                if (run.Count == 1)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(x[run[0]]))}\" cy=\"{F(Y(line.Values[run[0]]!.Value))}\" r=\"2.5\" fill=\"{line.Color}\"/>");
                }
                else
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"line\" fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"{width}\"{style} points=\"{points}\"/>");
                }
            }
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"cursor\" x1=\"0\" x2=\"0\" y1=\"{Top}\" y2=\"{height - Bottom}\" visibility=\"hidden\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"hover\" x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"transparent\"/>");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (rough <= 0 || !double.IsFinite(rough))
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    private static List<List<int>> Runs(IReadOnlyList<double?> values)
    {
        var runs = new List<List<int>>();
        List<int>? current = null;
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is null || !double.IsFinite(values[i]!.Value))
            {
                current = null;
                continue;
            }

            if (current is null)
            {
                current = [];
                runs.Add(current);
            }

            current.Add(i);
        }

        return runs;
    }

    private static string Tick(double value, double step) =>
        value.ToString(step >= 1 ? "N0" : step >= 0.1 ? "0.0" : step >= 0.01 ? "0.00" : "0.000", CultureInfo.InvariantCulture);

    private static string TimeTick(double seconds) => seconds >= 120 && seconds % 60 == 0
        ? (seconds / 60).ToString("0", CultureInfo.InvariantCulture) + "m"
        : seconds.ToString(seconds % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + "s";

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
