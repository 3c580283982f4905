using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// Bounds a silo's shutdown when ZooKeeper is unreachable. Orleans writes the silo's last statuses (ShuttingDown, Dead)
/// to the membership table, retrying each for <see cref="ClusterMembershipOptions.MaxJoinAttemptTime"/> (5 min by
/// default; measured: 130 s to stop) regardless of the host's shutdown timeout, so an orchestrator kills the silo first.
/// Those writes cannot succeed without ZooKeeper, and the table does not need them: the silo's ephemeral nodes go with
/// its session, and the other silos' probes declare it dead. So when ZooKeeper is unreachable as the silo leaves the
/// Active stage, each write gets <see cref="ZooKeeperClusteringOptions.UnreachableShutdownTimeout"/> instead.
/// </summary>
/// <remarks>
/// Orleans reads <c>MaxJoinAttemptTime</c> from the options instance on every status update, so it is changed in place;
/// <c>ZooKeeperOutageShutdownTests</c> fails if a later Orleans stops doing so.
/// </remarks>
internal sealed partial class MembershipShutdownBound(
    ZooKeeperConnection connection,
    IOptions<ClusterMembershipOptions> membership,
    IOptions<ZooKeeperClusteringOptions> clustering,
    ILogger<MembershipShutdownBound> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        // Stopping runs the stages in reverse, so this runs just before the membership agent leaves Active.
        lifecycle.Subscribe(nameof(MembershipShutdownBound), ServiceLifecycleStage.BecomeActive + 1, _ => Task.CompletedTask, OnStop);

    private Task OnStop(CancellationToken cancellationToken)
    {
        var bound = clustering.Value.UnreachableShutdownTimeout;
        var options = membership.Value;
        if (!connection.IsConnected && options.MaxJoinAttemptTime > bound)
        {
            LogWarningBounded(logger, connection.State?.ToString() ?? "never connected", options.MaxJoinAttemptTime, bound);
            options.MaxJoinAttemptTime = bound;
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(2540, LogLevel.Warning,
        "ZooKeeper is unreachable at shutdown (session {State}): the membership table's last status updates retry for {Bound} each instead of {Configured}; other silos declare this one dead by probing")]
    private static partial void LogWarningBounded(ILogger logger, string state, TimeSpan configured, TimeSpan bound);
}
