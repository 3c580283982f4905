using System.Reflection;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// With ZooKeeper: the gateway is an ephemeral sequential node <c>/components/fingergw/&lt;hostname&gt;-&lt;seq&gt;</c>
/// that follows the session (re-created after an expiry). Draining marks it <c>draining</c>, then deletes it.
/// </summary>
internal sealed partial class ZooKeeperGatewayRegistry(
    ZooKeeperConnection connection,
    ClusterSettings cluster,
    ILogger<ZooKeeperGatewayRegistry> logger) : IGatewayRegistry
{
    private static readonly string ProductVersion =
        typeof(ZooKeeperGatewayRegistry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private FingerGatewayRegistration? _registration;

    public async Task KeepRegisteredAsync(FingerGatewayOptions options, int boundPort, CancellationToken stoppingToken)
    {
        var entry = new RegisteredGateway(
            RegisteredGateway.FingerGatewayKind, options.Hostname, boundPort, options.PublicPort ?? boundPort,
            cluster.Zone, options.Tls.ListenerTls, ZooKeeperGatewayDirectory.ToWire(GatewayState.Running), ProductVersion);
        _registration = await FingerGatewayRegistration.CreateAsync(connection, entry, logger, stoppingToken);
        LogInformationRegistered(logger, _registration.Path);
    }

    public void Remove(TimeSpan timeout)
    {
        var registration = _registration;
        if (registration is null)
        {
            return;
        }

        try
        {
            // One bounded wait for both steps: the node is ephemeral, so the session's end removes it anyway.
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
            if (removed.Wait(timeout))
            {
                LogInformationUnregistered(logger, registration.Path);
            }
            else
            {
                LogWarningUnregisterTimedOut(logger, registration.Path, timeout, connection.State?.ToString() ?? "never connected");
            }
        }
        catch (Exception ex)
        {
            LogWarningUnregisterFailed(logger, registration.Path, ex);
        }
    }

    [LoggerMessage(311, LogLevel.Information, "Finger gateway registered in ZooKeeper at {Path}")]
    private static partial void LogInformationRegistered(ILogger logger, string path);

    [LoggerMessage(312, LogLevel.Information, "Finger gateway draining: removed {Path} from ZooKeeper")]
    private static partial void LogInformationUnregistered(ILogger logger, string path);

    [LoggerMessage(313, LogLevel.Warning, "Removing the finger gateway registration {Path} failed")]
    private static partial void LogWarningUnregisterFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(314, LogLevel.Warning, "Finger gateway draining: {Path} not removed within {Timeout} (ZooKeeper session {State}); it goes when the session expires")]
    private static partial void LogWarningUnregisterTimedOut(ILogger logger, string path, TimeSpan timeout, string state);
}
