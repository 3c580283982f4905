namespace Zuul.LiveLog.Grains;

/// <summary>The spec's resolution rule (PROTOCOL.md section 3), free of Orleans so it is unit-testable.</summary>
public static class StreamResolver
{
    /// <param name="build">The build, or null when unknown.</param>
    /// <param name="sourceZone">The asker's zone; null for an un-zoned asker.</param>
    /// <param name="liveGateways">Running gateways of the build's zone, in the order to try them.</param>
    public static StreamResolution Resolve(BuildInfo? build, string? sourceZone, IReadOnlyList<GatewayEndpoint> liveGateways)
    {
        if (build is null || build.State == BuildState.Unknown)
        {
            return StreamResolution.NotFound;
        }

        if (string.IsNullOrEmpty(build.ExecutorHostname))
        {
            return new StreamResolution(StreamResolutionKind.BuildNotStarted, null, 0, false, build.Zone, []);
        }

        if (build.Zone is null || string.Equals(build.Zone, sourceZone, StringComparison.Ordinal))
        {
            return new StreamResolution(StreamResolutionKind.Executor, build.ExecutorHostname, build.LogPort, false, build.Zone, []);
        }

        var running = liveGateways.Where(g => g.State == GatewayState.Running).ToList();
        if (running.Count == 0)
        {
            return new StreamResolution(StreamResolutionKind.ExecutorFallback, build.ExecutorHostname, build.LogPort, false, build.Zone, []);
        }

        var first = running[0];
        return new StreamResolution(StreamResolutionKind.Gateway, first.Hostname, first.Port, first.Tls, build.Zone, running.Skip(1).ToList());
    }
}
