using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Orleans.Zuul.Executor;

/// <summary>The address the log streamer actually bound (port 0 in the settings = a free port chosen at start).</summary>
public sealed class LogStreamEndpoint(IServer server)
{
    /// <summary>The bound port; throws before the server has started.</summary>
    public int Port => GetPort(server);

    public static int GetPort(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault()
            ?? throw new InvalidOperationException("The log streamer is not listening yet.");
        return new Uri(address.Replace("*", "localhost", StringComparison.Ordinal)).Port;
    }
}
