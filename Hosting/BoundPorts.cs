using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Zuul.LiveLog.Hosting;

/// <summary>The ports Kestrel actually bound, in the order it listens (port 0 in the settings means "pick one").</summary>
public static class BoundPorts
{
    /// <summary>Every bound port; empty before the server has started.</summary>
    public static IReadOnlyList<int> Of(IServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a.Replace("*", "localhost", StringComparison.Ordinal)).Port).ToList();
    }

    /// <summary>The first bound port (the component's main listener); throws before the server has started.</summary>
    public static int First(IServer server, string what) =>
        Of(server) is [var port, ..] ? port : throw new InvalidOperationException($"The {what} is not listening yet.");
}
