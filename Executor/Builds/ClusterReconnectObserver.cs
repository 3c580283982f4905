using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// When the Orleans client gets its cluster connection back after losing it, the job-root watcher reports every
/// build again, so a cluster that lost state (e.g. a restarted silo with in-memory storage) learns them anew.
/// </summary>
/// <remarks>
/// The watcher is resolved when needed, not injected: the Orleans client resolves its observers while it is being built,
/// and the watcher depends (through the registrar) on that client.
/// </remarks>
internal sealed partial class ClusterReconnectObserver(IServiceProvider services, ILogger<ClusterReconnectObserver> logger) : IClusterConnectionStatusObserver
{
    private int _lost;

    public void NotifyClusterConnectionLost()
    {
        Interlocked.Exchange(ref _lost, 1);
        LogWarningConnectionLost(logger);
    }

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways == 0)
        {
            Interlocked.Exchange(ref _lost, 1);
        }

        // The first connection is not a recovery: the builds are being reported anyway.
        if (connectionRecovered && Interlocked.Exchange(ref _lost, 0) == 1)
        {
            LogInformationConnectionRecovered(logger, currentNumberOfGateways);
            services.GetRequiredService<JobRootWatcher>().RequestReannounce();
        }
    }

    [LoggerMessage(EventId = 1341, Level = LogLevel.Warning, Message = "Lost the connection to the Orleans cluster; build registrations wait until it is back")]
    private static partial void LogWarningConnectionLost(ILogger logger);

    [LoggerMessage(EventId = 1342, Level = LogLevel.Information, Message = "Cluster connection recovered ({Gateways} gateways); reporting the job root's builds again")]
    private static partial void LogInformationConnectionRecovered(ILogger logger, int gateways);
}
