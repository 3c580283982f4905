using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Zuul.LiveLog.Finger.Sharing;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>
/// Creates the observable instruments whose sources this process has, as the host starts (so they are scraped from the
/// first scrape on, not from the first stream): the ZooKeeper session's, a silo's view of the zone-gateway registry, and
/// the shared streams of a gateway or web frontend.
/// </summary>
internal sealed class ObservedInstruments(ZuulMetrics metrics, IServiceProvider services) : IHostedService
{
    private static readonly HashSet<string> KnownStates = ["initializing", "running", "draining", "stopped"];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ZooKeeperConnection>() is { } connection)
        {
            metrics.ObserveZooKeeper(connection);
        }

        if (services.GetService<FingerGatewayWatcher>() is { } watcher)
        {
            // A silo reads the registry anyway (its zone gateway grains ask it); reading it from the start keeps the gauge true.
            watcher.EnsureStarted();
            metrics.ObserveGatewayRegistry(() => watcher.Current
                .Where(g => g.Kind == RegisteredGateway.FingerGatewayKind)
                // The state comes from other processes' nodes: keep the attribute's values to the protocol's few.
                .GroupBy(g => (g.Zone, State: KnownStates.Contains(g.State) ? g.State : "other"))
                .Select(g => (g.Key.Zone, g.Key.State, g.Count())));
        }

        if (services.GetService<SharedStreamHub>() is { Enabled: true } hub)
        {
            metrics.ObserveSharedStreams(() => hub.Streams, () => hub.Total, () => hub.CatchUps);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
