using Microsoft.Extensions.Logging;

namespace Orleans.Zuul.Executor;

/// <summary>
/// When the Orleans client gets its cluster connection back after losing it, the job-root watcher reports every
/// build again, so a cluster that lost state (e.g. a restarted silo with in-memory storage) learns them anew.
/// </summary>
internal sealed partial class ClusterReconnectObserver(JobRootWatcher watcher, ILogger<ClusterReconnectObserver> logger) : IClusterConnectionStatusObserver
{
    public void NotifyClusterConnectionLost() => LogWarningConnectionLost(logger);

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (connectionRecovered)
        {
            LogInformationConnectionRecovered(logger, currentNumberOfGateways);
            watcher.RequestReannounce();
        }
    }

    [LoggerMessage(EventId = 1341, Level = LogLevel.Warning, Message = "Lost the connection to the Orleans cluster; build registrations wait until it is back")]
    private static partial void LogWarningConnectionLost(ILogger logger);

    [LoggerMessage(EventId = 1342, Level = LogLevel.Information, Message = "Cluster connection recovered ({Gateways} gateways); reporting the job root's builds again")]
    private static partial void LogInformationConnectionRecovered(ILogger logger, int gateways);
}
