using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// This executor's liveness lease (README "Executor liveness"): with ZooKeeper an ephemeral node that lives with the
/// session (<see cref="ExecutorRegistration"/>), without it an <see cref="IExecutorLeaseGrain"/> renewed every third of
/// <see cref="ExecutorOptions.LeaseDuration"/> with the builds running here. When it lapses the cluster marks those
/// builds lost; when it is held again after a lapse (a new ZooKeeper session, a renewal that found no lease), every
/// build is reported again, which makes lost builds that still run here running again. A renewal that names builds the
/// cluster has no record of (lost with a silo's memory storage while the lease lived on) reports those again.
/// </summary>
internal sealed partial class ExecutorLiveness(
    IServiceProvider services,
    LogStreamEndpoint endpoint,
    JobRootWatcher watcher,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    IOptions<ExecutorOptions> options,
    ILogger<ExecutorLiveness> logger) : BackgroundService
{
    private static readonly string ProductVersion =
        typeof(ExecutorLiveness).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
            await started.Task.WaitAsync(stoppingToken);
            var zone = ClusterSettings.FromConfiguration(configuration).Zone;
            var hostname = options.Value.Hostname!;
            if (services.GetService<ZooKeeperConnection>() is { } zooKeeper)
            {
                await HoldNodeAsync(zooKeeper, new RegisteredExecutor(RegisteredExecutor.ExecutorKind, hostname, endpoint.Port, zone, ProductVersion), stoppingToken);
            }
            else
            {
                await RenewLeaseAsync(services.GetRequiredService<IGrainFactory>(), zone, hostname, endpoint.Port, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task HoldNodeAsync(ZooKeeperConnection zooKeeper, RegisteredExecutor entry, CancellationToken stoppingToken)
    {
        // Every session after the one the node was first created on means the old node went with the old session.
        var sessions = 0L;
        using var subscription = zooKeeper.Sessions.OnSessionStarted(_ =>
        {
            if (Interlocked.Increment(ref sessions) > 1)
            {
                LogInformationLeaseAgain(logger, "a new ZooKeeper session");
                watcher.RequestReannounce();
            }

            return Task.CompletedTask;
        });
        await using var node = await ExecutorRegistration.CreateAsync(zooKeeper, entry, logger, stoppingToken);
        Interlocked.Exchange(ref sessions, 1);
        LogInformationHeld(logger, node.Path);
        await Task.Delay(Timeout.Infinite, stoppingToken);
    }

    private async Task RenewLeaseAsync(IGrainFactory grains, string? zone, string hostname, int port, CancellationToken stoppingToken)
    {
        var duration = options.Value.LeaseDuration;
        var grain = grains.GetGrain<IExecutorLeaseGrain>(ExecutorLease.KeyOf(hostname, port));
        var first = true;
        var failing = false;
        while (true)
        {
            try
            {
                var renewal = await grain.RenewAsync(new ExecutorLease(zone, hostname, port, duration, watcher.RunningBuildIds)).WaitAsync(duration / 3, stoppingToken);
                if (failing)
                {
                    LogInformationRenewed(logger);
                    failing = false;
                }

                if (renewal.Taken && !first)
                {
                    LogInformationLeaseAgain(logger, "a renewal that found no lease (lapsed, or lost with its silo)");
                    watcher.RequestReannounce();
                }
                else if (renewal.Unrecorded.Count > 0)
                {
                    LogInformationUnrecorded(logger, renewal.Unrecorded.Count);
                    watcher.RequestReannounce(renewal.Unrecorded);
                }

                first = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    LogWarningRenewFailed(logger, duration, ex.GetType().Name, ex.Message);
                    failing = true;
                }
            }

            await Task.Delay(duration / 3, stoppingToken);
        }
    }

    [LoggerMessage(EventId = 1351, Level = LogLevel.Information, Message = "Liveness lease held in ZooKeeper at {Path}")]
    private static partial void LogInformationHeld(ILogger logger, string path);

    [LoggerMessage(EventId = 1352, Level = LogLevel.Information, Message = "Liveness lease taken again after {Why}; reporting every build again")]
    private static partial void LogInformationLeaseAgain(ILogger logger, string why);

    [LoggerMessage(EventId = 1355, Level = LogLevel.Information, Message = "The cluster has no record of {Count} running builds (lost with a silo's memory storage?); reporting them again")]
    private static partial void LogInformationUnrecorded(ILogger logger, int count);

    [LoggerMessage(EventId = 1353, Level = LogLevel.Warning, Message = "Cannot renew the liveness lease ({Duration}); this executor's builds become lost if it lapses: {ErrorType}: {Error}")]
    private static partial void LogWarningRenewFailed(ILogger logger, TimeSpan duration, string errorType, string error);

    [LoggerMessage(EventId = 1354, Level = LogLevel.Information, Message = "Liveness lease renewed again")]
    private static partial void LogInformationRenewed(ILogger logger);
}
