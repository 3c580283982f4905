using System.Globalization;

namespace Zuul.LiveLog.Tests.Telemetry;

/// <summary>Reads Prometheus' text exposition as the in-process telemetry tests need it.</summary>
internal static class Exposition
{
    /// <summary>The sum of the samples of <paramref name="metric"/> in <paramref name="zone"/> whose labels contain every one of <paramref name="labels"/>.</summary>
    public static double Value(string exposition, string metric, string zone, params string[] labels) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal)
                           && line.Contains($"zuul_zone=\"{zone}\"", StringComparison.Ordinal)
                           && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
}
