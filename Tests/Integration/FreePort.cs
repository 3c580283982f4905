using System.Net;
using System.Net.Sockets;

namespace Orleans.Zuul.Tests.Integration;

/// <summary>
/// A free loopback port for Orleans' silo and gateway endpoints, which advertise their port and so cannot
/// bind port 0. Everything else in the tests binds port 0 directly.
/// </summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
