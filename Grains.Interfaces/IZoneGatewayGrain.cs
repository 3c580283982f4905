namespace Zuul.LiveLog.Grains;

/// <summary>The live finger gateways of one zone (key: zone name).</summary>
[Alias("Orleans.Zuul.IZoneGatewayGrain")]
public interface IZoneGatewayGrain : IGrainWithStringKey
{
    /// <summary>Every registered gateway of the zone, draining ones included.</summary>
    [Alias("List")]
    Task<IReadOnlyList<GatewayEndpoint>> ListAsync();

    /// <summary>Running gateways in the order a streamer should try them (spread over calls).</summary>
    [Alias("Pick")]
    Task<IReadOnlyList<GatewayEndpoint>> PickAsync();

    /// <summary>Adds or updates a gateway (used by the embedded default, where there is no ZooKeeper registry).</summary>
    [Alias("Register")]
    Task RegisterAsync(GatewayEndpoint gateway);

    [Alias("Unregister")]
    Task UnregisterAsync(string hostname, int port);
}
