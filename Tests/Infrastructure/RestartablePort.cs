using System.Net;
using Orleans.Zuul.Hosting;

namespace Orleans.Zuul.Tests.Infrastructure;

/// <summary>
/// A free loopback port for a server that tests stop and start again on the same port. It lies below the kernel's
/// ephemeral range: while the server is down, no outgoing connection (a reconnecting client, or one connecting to
/// itself by simultaneous open) can be given that port and keep the restarted server from binding it.
/// </summary>
public static class RestartablePort
{
    private const string RangePath = "/proc/sys/net/ipv4/ip_local_port_range";

    public static int Next()
    {
        var ephemeralLow = EphemeralLow();
        var low = Math.Min(10_000, ephemeralLow / 2);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(low, ephemeralLow);
            if (PortAvailability.Check("port", IPAddress.Loopback, port) is null)
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port found in {low}..{ephemeralLow - 1}.");
    }

    private static int EphemeralLow()
    {
        try
        {
            var fields = File.ReadAllText(RangePath).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768; // Linux's default
        }
    }
}
