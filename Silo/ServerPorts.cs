using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Orleans.Zuul.Silo;

/// <summary>Reads the ports Kestrel actually bound (port 0 in the settings means "pick one").</summary>
public static class ServerPorts
{
    public static IReadOnlyList<int> Bound(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a.Replace("*", "localhost", StringComparison.Ordinal)).Port).ToList();
    }
}
