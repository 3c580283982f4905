using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using Orleans.Zuul.Grains;
using Orleans.Zuul.Hosting;
using Orleans.Zuul.ZooKeeper.Orleans;

namespace Orleans.Zuul.Silo;

/// <summary>
/// Registers this silo's finger gateway in ZooKeeper (<c>/components/fingergw/&lt;hostname&gt;-&lt;seq&gt;</c>, ephemeral
/// sequential) once it listens; the node follows the session (re-created after an expiry). On shutdown it turns to
/// <c>draining</c> and is deleted before the listener closes.
/// </summary>
internal sealed partial class ZooKeeperGatewayRegistrationService(
    ZooKeeperConnection connection,
    IServer server,
    IHostApplicationLifetime lifetime,
    GatewayLifecycle lifecycle,
    ClusterSettings cluster,
    IOptions<FingerGatewayOptions> options,
    ILogger<ZooKeeperGatewayRegistrationService> logger) : BackgroundService
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly string ProductVersion =
        typeof(ZooKeeperGatewayRegistrationService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private FingerGatewayRegistration? _registration;

    /// <summary>The registration's current node path (null until registered), for tests and diagnostics.</summary>
    public string? Path => _registration?.Path;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            if (!await started.Task.ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default))
            {
                return;
            }
        }

        lifecycle.BoundPort = ServerPorts.Bound(server).FirstOrDefault();
        var o = options.Value;
        var entry = new RegisteredGateway(
            RegisteredGateway.FingerGatewayKind, o.Hostname, lifecycle.BoundPort, o.PublicPort ?? lifecycle.BoundPort,
            cluster.Zone, o.Tls.ListenerTls, ZooKeeperGatewayDirectory.ToWire(GatewayState.Running), ProductVersion);
        lifecycle.Set(GatewayState.Running);
        LogInformationListening(logger, o.Hostname, lifecycle.BoundPort, entry.PublicPort, cluster.Zone ?? "(none)");
        lifetime.ApplicationStopping.Register(Drain);
        try
        {
            _registration = await FingerGatewayRegistration.CreateAsync(connection, entry, logger, stoppingToken);
            LogInformationRegistered(logger, _registration.Path);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Drain()
    {
        lifecycle.Set(GatewayState.Draining);
        var registration = _registration;
        if (registration is null)
        {
            return;
        }

        try
        {
            // One bounded wait for both steps: shutdown must not hang on an unreachable ZooKeeper, and the node is
            // ephemeral, so the session's end removes it anyway.
            var removed = Task.Run(async () =>
            {
                try
                {
                    await registration.SetStateAsync(ZooKeeperGatewayDirectory.ToWire(GatewayState.Draining)).ConfigureAwait(false);
                }
                finally
                {
                    // Deleted even when marking it draining failed: readers must not keep choosing this gateway.
                    await registration.DisposeAsync().ConfigureAwait(false);
                }
            });
            if (removed.Wait(DrainTimeout))
            {
                LogInformationUnregistered(logger, registration.Path);
            }
            else
            {
                LogWarningUnregisterTimedOut(logger, registration.Path, DrainTimeout, connection.State?.ToString() ?? "never connected");
            }
        }
        catch (Exception ex)
        {
            LogWarningUnregisterFailed(logger, registration.Path, ex);
        }
    }

    [LoggerMessage(310, LogLevel.Information, "Finger gateway {Hostname} listening on port {Port} (public port {PublicPort}, zone {Zone})")]
    private static partial void LogInformationListening(ILogger logger, string hostname, int port, int publicPort, string zone);

    [LoggerMessage(311, LogLevel.Information, "Finger gateway registered in ZooKeeper at {Path}")]
    private static partial void LogInformationRegistered(ILogger logger, string path);

    [LoggerMessage(312, LogLevel.Information, "Finger gateway draining: removed {Path} from ZooKeeper")]
    private static partial void LogInformationUnregistered(ILogger logger, string path);

    [LoggerMessage(313, LogLevel.Warning, "Removing the finger gateway registration {Path} failed")]
    private static partial void LogWarningUnregisterFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(314, LogLevel.Warning, "Finger gateway draining: {Path} not removed within {Timeout} (ZooKeeper session {State}); it goes when the session expires")]
    private static partial void LogWarningUnregisterTimedOut(ILogger logger, string path, TimeSpan timeout, string state);
}
