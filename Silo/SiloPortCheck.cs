using System.Net;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// Before a silo joins its cluster: every listening port it will need that something else holds already. Orleans binds
/// its ports at once, but the finger and health ports only after joining, so a taken one would otherwise crash a silo
/// that other silos already count as a member.
/// </summary>
internal static class SiloPortCheck
{
    public static IEnumerable<string> PortsInUse(ClusterSettings cluster, FingerGatewayOptions gateway, HealthListener? health)
    {
        // With ZooKeeper Orleans listens on every address; embedded clustering on loopback.
        var orleans = cluster.ZooKeeperConnectionString is null ? IPAddress.Loopback : IPAddress.Any;
        string?[] errors =
        [
            PortAvailability.Check("Orleans:SiloPort", orleans, cluster.SiloPort),
            PortAvailability.Check("Orleans:GatewayPort", orleans, cluster.GatewayPort),
            gateway.Enabled ? PortAvailability.Check("FingerGateway:Port", IPAddress.Parse(gateway.ListenAddress), gateway.Port) : null,
            health?.CheckAvailable(),
        ];
        return errors.OfType<string>();
    }
}
