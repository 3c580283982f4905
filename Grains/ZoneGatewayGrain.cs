namespace Orleans.Zuul.Grains;

/// <summary>
/// The gateways of one zone. Gateways register with a lease and renew it; an entry whose lease
/// ran out is dropped, so a crashed gateway stops being chosen without anyone removing it.
/// </summary>
internal sealed class ZoneGatewayGrain(TimeProvider time) : Grain, IZoneGatewayGrain
{
    private readonly Dictionary<(string Host, int Port), (GatewayEndpoint Gateway, DateTimeOffset Expires)> _gateways = [];
    private int _next;

    public Task<IReadOnlyList<GatewayEndpoint>> ListAsync() => Task.FromResult<IReadOnlyList<GatewayEndpoint>>(Live().ToList());

    public Task<IReadOnlyList<GatewayEndpoint>> PickAsync()
    {
        var running = Live().Where(g => g.State == GatewayState.Running)
            .OrderBy(g => g.Hostname, StringComparer.Ordinal).ThenBy(g => g.Port).ToList();
        if (running.Count <= 1)
        {
            return Task.FromResult<IReadOnlyList<GatewayEndpoint>>(running);
        }

        // Round robin: each call starts at the next gateway, the rest follow as fallbacks.
        var start = _next++ % running.Count;
        return Task.FromResult<IReadOnlyList<GatewayEndpoint>>([.. running.Skip(start), .. running.Take(start)]);
    }

    public Task RegisterAsync(GatewayEndpoint gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        _gateways[(gateway.Hostname, gateway.Port)] = (gateway, time.GetUtcNow() + ZoneGatewayLease.Duration);
        // Every registration and renewal tells the zone list, which is soft state and refills this way.
        return GrainFactory.GetGrain<IZoneDirectoryGrain>(0).AddAsync(this.GetPrimaryKeyString());
    }

    public Task UnregisterAsync(string hostname, int port)
    {
        _gateways.Remove((hostname, port));
        return Task.CompletedTask;
    }

    private IEnumerable<GatewayEndpoint> Live()
    {
        var now = time.GetUtcNow();
        foreach (var key in _gateways.Where(kv => kv.Value.Expires <= now).Select(kv => kv.Key).ToList())
        {
            _gateways.Remove(key);
        }

        return _gateways.Values.Select(v => v.Gateway);
    }
}
