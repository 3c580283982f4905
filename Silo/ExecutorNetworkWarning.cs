using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Silo;

/// <summary>Says at start-up when this silo's zone has no executor networks: its gateway then relays to any registered address.</summary>
internal sealed partial class ExecutorNetworkWarning(ExecutorNetworkPolicy policy, ClusterSettings cluster, ILogger<ExecutorNetworkWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (policy.NetworksOf(cluster.Zone) is null)
        {
            var key = cluster.Zone is { } zone ? $"Zones:{zone}:ExecutorNetworks" : "Builds:ExecutorNetworks";
            LogWarningNoExecutorNetworks(logger, cluster.Zone ?? "(un-zoned)", key);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "No executor networks for zone {Zone} ({Key}:<n> or Builds:ExecutorNetworks:<n>): builds may name any executor address and this zone's finger gateway will connect there")]
    private static partial void LogWarningNoExecutorNetworks(ILogger logger, string zone, string key);
}
