using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using Orleans.Zuul.Grains;
using Orleans.Zuul.Hosting;

namespace Orleans.Zuul.Silo;

/// <summary>
/// Registers this silo's finger gateway with its zone and renews the lease while it serves; on shutdown
/// it turns to draining and unregisters before the listener closes, so no new stream is sent here.
/// </summary>
internal sealed partial class GatewayRegistrationService(
    IGrainFactory grains,
    IServer server,
    IHostApplicationLifetime lifetime,
    IClusterMembershipService membership,
    GatewayLifecycle lifecycle,
    ClusterSettings cluster,
    IOptions<FingerGatewayOptions> options,
    ILogger<GatewayRegistrationService> logger) : BackgroundService
{
    private static readonly TimeSpan Renewal = ZoneGatewayLease.Renewal;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            if (!await started.Task.ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default))
            {
                return; // stopped before it ever started
            }
        }

        lifecycle.BoundPort = ServerPorts.Bound(server).FirstOrDefault();
        lifecycle.Set(GatewayState.Running);
        var o = options.Value;
        LogInformationListening(logger, o.Hostname, lifecycle.BoundPort, o.PublicPort ?? lifecycle.BoundPort, cluster.Zone ?? "(none)");
        if (cluster.Zone is null)
        {
            // An un-zoned gateway serves users; nobody routes to it by zone.
            return;
        }

        lifetime.ApplicationStopping.Register(Drain);
        var renewNow = new SemaphoreSlim(0);
        var watch = WatchMembershipAsync(renewNow, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Zone().RegisterAsync(Endpoint(GatewayState.Running));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWarningRegistrationFailed(logger, cluster.Zone, ex);
            }

            try
            {
                await renewNow.WaitAsync(Renewal, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                await watch;
                return;
            }
        }
    }

    /// <summary>
    /// Without ZooKeeper the zone's registry lives in one grain activation; when a silo leaves, that activation
    /// may go with it. Renewing on every membership change refills it at once instead of a lease period later.
    /// </summary>
    private async Task WatchMembershipAsync(SemaphoreSlim renewNow, CancellationToken stoppingToken)
    {
        try
        {
            var first = true;
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                if (!first)
                {
                    renewNow.Release();
                }

                first = false;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Drain()
    {
        lifecycle.Set(GatewayState.Draining);
        try
        {
            // Bounded: shutdown must not hang on an unreachable cluster.
            Zone().UnregisterAsync(options.Value.Hostname, Endpoint(GatewayState.Draining).Port).Wait(TimeSpan.FromSeconds(5));
            LogInformationUnregistered(logger, cluster.Zone ?? string.Empty);
        }
        catch (Exception ex)
        {
            LogWarningRegistrationFailed(logger, cluster.Zone ?? string.Empty, ex);
        }
    }

    private IZoneGatewayGrain Zone() => grains.GetGrain<IZoneGatewayGrain>(cluster.Zone!);

    private GatewayEndpoint Endpoint(GatewayState state) =>
        new(options.Value.Hostname, options.Value.PublicPort ?? lifecycle.BoundPort, options.Value.Tls.ListenerTls, cluster.Zone, state);

    [LoggerMessage(300, LogLevel.Information, "Finger gateway {Hostname} listening on port {Port} (public port {PublicPort}, zone {Zone})")]
    private static partial void LogInformationListening(ILogger logger, string hostname, int port, int publicPort, string zone);

    [LoggerMessage(301, LogLevel.Warning, "Registering the finger gateway in zone {Zone} failed; retrying")]
    private static partial void LogWarningRegistrationFailed(ILogger logger, string zone, Exception exception);

    [LoggerMessage(302, LogLevel.Information, "Finger gateway draining: unregistered from zone {Zone}")]
    private static partial void LogInformationUnregistered(ILogger logger, string zone);
}
