using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Silo;

/// <summary>Counts lost builds in <c>zuul.builds.lost</c>, by the build's zone.</summary>
internal sealed class MetricsBuildLossObserver(ZuulMetrics metrics) : IBuildLossObserver
{
    public void Lost(string? zone) => metrics.BuildLost(zone);
}
