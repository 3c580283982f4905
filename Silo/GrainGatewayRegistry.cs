using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// Without ZooKeeper: the gateway registers with its zone's <see cref="IZoneGatewayGrain"/> under a lease, renewed
/// periodically and on every membership change (quickly for a while after each), and unregisters as it drains. An
/// un-zoned gateway serves users only; nobody routes to it by zone, so it does not register.
/// </summary>
internal sealed partial class GrainGatewayRegistry(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ClusterSettings cluster,
    ILogger<GrainGatewayRegistry> logger) : IGatewayRegistry
{
    private static readonly TimeSpan SettleFirst = TimeSpan.FromSeconds(1);

    private GatewayEndpoint? _registered;

    public async Task KeepRegisteredAsync(FingerGatewayOptions options, int boundPort, CancellationToken stoppingToken)
    {
        if (cluster.Zone is null)
        {
            return;
        }

        var endpoint = new GatewayEndpoint(options.Hostname, options.PublicPort ?? boundPort, options.Tls.ListenerTls, cluster.Zone, GatewayState.Running);
        _registered = endpoint;
        var renewNow = new SemaphoreSlim(0);
        var watch = WatchMembershipAsync(renewNow, stoppingToken);
        try
        {
            // Quick renewals (1, 2, 4, 8, 16 s) after the start, a failure or a membership change, then one per lease
            // period: while silos join or leave, their views of where the zone's grain lives may differ for a moment,
            // so a registration can land on an activation that then goes; the next quick renewal finds the one that stays.
            TimeSpan? settle = SettleFirst;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Zone().RegisterAsync(endpoint);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogWarningRegistrationFailed(logger, cluster.Zone, ex);
                    settle ??= SettleFirst;
                }

                var wait = settle ?? ZoneGatewayLease.Renewal;
                settle = settle is { } s && s * 2 < ZoneGatewayLease.Renewal ? s * 2 : null;
                if (await renewNow.WaitAsync(wait, stoppingToken))
                {
                    settle = SettleFirst;
                }
            }
        }
        finally
        {
            await watch;
        }
    }

    public void Remove(TimeSpan timeout)
    {
        if (_registered is not { } endpoint)
        {
            return;
        }

        try
        {
            if (Zone().UnregisterAsync(endpoint.Hostname, endpoint.Port).Wait(timeout))
            {
                LogInformationUnregistered(logger, cluster.Zone!);
            }
            else
            {
                LogWarningUnregisterTimedOut(logger, cluster.Zone!, timeout);
            }
        }
        catch (Exception ex)
        {
            LogWarningRegistrationFailed(logger, cluster.Zone!, ex);
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

    private IZoneGatewayGrain Zone() => grains.GetGrain<IZoneGatewayGrain>(cluster.Zone!);

    [LoggerMessage(301, LogLevel.Warning, "Registering the finger gateway in zone {Zone} failed; retrying")]
    private static partial void LogWarningRegistrationFailed(ILogger logger, string zone, Exception exception);

    [LoggerMessage(302, LogLevel.Information, "Finger gateway draining: unregistered from zone {Zone}")]
    private static partial void LogInformationUnregistered(ILogger logger, string zone);

    [LoggerMessage(303, LogLevel.Warning, "Finger gateway draining: not unregistered from zone {Zone} within {Timeout}; its lease runs out instead")]
    private static partial void LogWarningUnregisterTimedOut(ILogger logger, string zone, TimeSpan timeout);
}
