using Zuul.LiveLog.Grains;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Silo;

/// <summary>A zone's gateways from the ZooKeeper registry, which <see cref="FingerGatewayWatcher"/> keeps current by watches.</summary>
internal sealed class ZooKeeperGatewayDirectory(FingerGatewayWatcher watcher) : IGatewayDirectory
{
    private static readonly TimeSpan FirstReadTimeout = TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<GatewayEndpoint>> ListAsync(string zone)
    {
        var entries = await watcher.GetAsync().WaitAsync(FirstReadTimeout);
        return entries
            .Where(e => e.Kind == RegisteredGateway.FingerGatewayKind && string.Equals(e.Zone, zone, StringComparison.Ordinal))
            .Select(e => new GatewayEndpoint(e.Hostname, e.PublicPort, e.Tls, e.Zone, ParseState(e.State)))
            .ToList();
    }

    // With ZooKeeper a gateway registers as a node of its own (ZooKeeperGatewayRegistry); a registration sent to the
    // grain would be lost, so it is refused rather than reported as done.
    public void Register(GatewayEndpoint gateway) => throw RegisteredInZooKeeper();

    public void Unregister(string hostname, int port) => throw RegisteredInZooKeeper();

    private static NotSupportedException RegisteredInZooKeeper() =>
        new("With ZooKeeper, finger gateways register in ZooKeeper (/components/fingergw), not through the zone's grain.");

    internal static GatewayState ParseState(string state) => state switch
    {
        "running" => GatewayState.Running,
        "draining" => GatewayState.Draining,
        "stopped" => GatewayState.Stopped,
        _ => GatewayState.Initializing,
    };

    internal static string ToWire(GatewayState state) => state.ToString().ToLowerInvariant();
}
