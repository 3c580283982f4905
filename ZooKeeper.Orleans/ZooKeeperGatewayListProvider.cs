using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// Clients' gateway list from the membership table in ZooKeeper: the active silos' gateway endpoints, those of
/// silos in the client's zone only when there are any.
/// </summary>
public sealed partial class ZooKeeperGatewayListProvider(
    ZooKeeperConnection connection,
    Serializer serializer,
    IOptions<ClusterOptions> clusterOptions,
    IOptions<ZooKeeperClusteringOptions> options,
    ILogger<ZooKeeperGatewayListProvider> logger) : IGatewayListProvider
{
    private readonly string _clusterId = clusterOptions.Value.ClusterId;

    public TimeSpan MaxStaleness => options.Value.GatewayListRefreshPeriod;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => connection.WaitUntilConnectedAsync();

    public async Task<IList<Uri>> GetGateways()
    {
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        IReadOnlyList<string> children;
        try
        {
            children = (await client.GetChildrenAsync(ZooKeeperPaths.Cluster(_clusterId)).ConfigureAwait(false)).Children;
        }
        catch (NoNodeException)
        {
            return [];
        }

        var all = new List<(Uri Gateway, string? Zone)>();
        foreach (var child in children)
        {
            var silo = Uri.UnescapeDataString(child);
            MembershipEntry entry;
            try
            {
                entry = serializer.Deserialize<MembershipEntry>((await client.GetDataAsync(ZooKeeperPaths.Silo(_clusterId, silo)).ConfigureAwait(false)).Data)
                    ?? throw new InvalidDataException($"Empty membership row for {silo}");
            }
            catch (NoNodeException)
            {
                continue;
            }

            if (entry.Status != SiloStatus.Active || entry.ProxyPort == 0)
            {
                continue;
            }

            string? zone = null;
            try
            {
                zone = Encoding.UTF8.GetString((await client.GetDataAsync(ZooKeeperPaths.Zone(_clusterId, silo)).ConfigureAwait(false)).Data);
            }
            catch (NoNodeException)
            {
            }

            var gateway = SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation);
            all.Add((gateway.ToGatewayUri(), zone));
        }

        var myZone = options.Value.Zone;
        var local = myZone is null ? [] : all.Where(g => g.Zone == myZone).Select(g => g.Gateway).ToList();
        var result = local.Count > 0 ? local : all.Select(g => g.Gateway).ToList();
        LogDebugGateways(logger, result.Count, all.Count, myZone ?? "(none)");
        return result;
    }

    [LoggerMessage(2510, LogLevel.Debug, "{Count} of {Total} gateways offered (zone {Zone})")]
    private static partial void LogDebugGateways(ILogger logger, int count, int total, string zone);
}
