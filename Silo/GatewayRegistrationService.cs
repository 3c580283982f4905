using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// The finger gateway's life in its zone's registry (PROTOCOL.md section 5): once the listener is bound the gateway is
/// running and registered; when the host starts stopping it turns to draining (new requests get a "shutting down"
/// line) and is removed from the registry, before the listener closes, so no new stream is routed here.
/// </summary>
internal sealed partial class GatewayRegistrationService(
    IGatewayRegistry registry,
    IServer server,
    IHostApplicationLifetime lifetime,
    GatewayLifecycle lifecycle,
    ClusterSettings cluster,
    IOptions<FingerGatewayOptions> options,
    TimeProvider time,
    ILogger<GatewayRegistrationService> logger) : BackgroundService
{
    /// <summary>How long removal may hold up shutdown; an unreachable registry lets a stale entry go by itself (lease or session).</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

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

        lifecycle.BoundPort = BoundPorts.Of(server).FirstOrDefault();
        lifecycle.Set(GatewayState.Running);
        var o = options.Value;
        LogInformationListening(logger, o.Hostname, lifecycle.BoundPort, o.PublicPort ?? lifecycle.BoundPort, cluster.Zone ?? "(none)");
        lifetime.ApplicationStopping.Register(Drain);
        try
        {
            await registry.KeepRegisteredAsync(o, lifecycle.BoundPort, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Drain()
    {
        lifecycle.Set(GatewayState.Draining);
        registry.Remove(DrainTimeout);
        // Out of the registry: no new stream comes here. Relays in flight get the drain time, then are reset and resumed elsewhere.
        LogInformationDraining(logger, options.Value.DrainTime);
        lifecycle.StartDrain(options.Value.DrainTime, time);
    }

    [LoggerMessage(304, LogLevel.Information, "Finger gateway stopping: out of the registry, streams in flight may go on for {DrainTime}")]
    private static partial void LogInformationDraining(ILogger logger, TimeSpan drainTime);

    [LoggerMessage(300, LogLevel.Information, "Finger gateway {Hostname} listening on port {Port} (public port {PublicPort}, zone {Zone})")]
    private static partial void LogInformationListening(ILogger logger, string hostname, int port, int publicPort, string zone);
}
