namespace Zuul.LiveLog.Grains;

/// <summary>
/// Where <see cref="ZoneGatewayGrain"/> finds a zone's gateways. With ZooKeeper the silo registers one that reads the
/// watched registry; without it each zone grain keeps a <see cref="LeaseGatewayDirectory"/> fed by registrations.
/// </summary>
public interface IGatewayDirectory
{
    Task<IReadOnlyList<GatewayEndpoint>> ListAsync(string zone);

    void Register(GatewayEndpoint gateway);

    void Unregister(string hostname, int port);
}

/// <summary>The embedded default: registrations with a lease, dropped when not renewed.</summary>
public sealed class LeaseGatewayDirectory(TimeProvider time) : IGatewayDirectory
{
    private readonly Dictionary<(string Host, int Port), (GatewayEndpoint Gateway, DateTimeOffset Expires)> _gateways = [];

    public Task<IReadOnlyList<GatewayEndpoint>> ListAsync(string zone)
    {
        var now = time.GetUtcNow();
        foreach (var key in _gateways.Where(kv => kv.Value.Expires <= now).Select(kv => kv.Key).ToList())
        {
            _gateways.Remove(key);
        }

        return Task.FromResult<IReadOnlyList<GatewayEndpoint>>(_gateways.Values.Select(v => v.Gateway).ToList());
    }

    public void Register(GatewayEndpoint gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        _gateways[(gateway.Hostname, gateway.Port)] = (gateway, time.GetUtcNow() + ZoneGatewayLease.Duration);
    }

    public void Unregister(string hostname, int port) => _gateways.Remove((hostname, port));
}
