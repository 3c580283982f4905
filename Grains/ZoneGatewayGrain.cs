using Microsoft.Extensions.DependencyInjection;

namespace Zuul.LiveLog.Grains;

/// <summary>
/// The gateways of one zone, from an <see cref="IGatewayDirectory"/>: the silo's (the ZooKeeper registry, kept by
/// watches) when it has one, otherwise this activation's own lease-based registry, where a crashed gateway is dropped
/// when its lease runs out.
/// </summary>
[Orleans.Placement.PreferLocalPlacement]
internal sealed class ZoneGatewayGrain(TimeProvider time, IServiceProvider services) : Grain, IZoneGatewayGrain
{
    private readonly IGatewayDirectory _directory = services.GetService<IGatewayDirectory>() ?? new LeaseGatewayDirectory(time);
    private int _next;

    private string Zone => this.GetPrimaryKeyString();

    public Task<IReadOnlyList<GatewayEndpoint>> ListAsync() => _directory.ListAsync(Zone);

    public async Task<IReadOnlyList<GatewayEndpoint>> PickAsync()
    {
        var running = (await _directory.ListAsync(Zone)).Where(g => g.State == GatewayState.Running)
            .OrderBy(g => g.Hostname, StringComparer.Ordinal).ThenBy(g => g.Port).ToList();
        if (running.Count <= 1)
        {
            return running;
        }

        // Round robin: each call starts at the next gateway, the rest follow as fallbacks.
        var start = _next++ % running.Count;
        return [.. running.Skip(start), .. running.Take(start)];
    }

    public Task RegisterAsync(GatewayEndpoint gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        _directory.Register(gateway);
        // Every registration and renewal tells the zone list, which is soft state and refills this way.
        return GrainFactory.GetGrain<IZoneDirectoryGrain>(0).AddAsync(Zone);
    }

    public Task UnregisterAsync(string hostname, int port)
    {
        _directory.Unregister(hostname, port);
        return Task.CompletedTask;
    }
}
