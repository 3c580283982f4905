using System.Net;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// The one home for ports a test must name before the server binds (Orleans' silo and gateway ports, which are
/// advertised and so cannot be 0; a ZooKeeper server restarted on the same port; a health port). Everything else binds
/// port 0 and reads what it got.
/// </summary>
/// <remarks>
/// Binding port 0 and releasing it races: the kernel hands the same ephemeral port to the next port-0 bind or outgoing
/// connection, in this process or another, before our server binds it. So a port comes from below the kernel's
/// ephemeral range, where only explicit binds land (a server stopped and restarted there also gets its port back), is
/// checked free, and is reserved until this process ends: never handed out twice here, and locked by a file so other
/// test processes on the machine using this helper skip it too.
/// </remarks>
public static class TestPorts
{
    private const string RangePath = "/proc/sys/net/ipv4/ip_local_port_range";
    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "orleans-zuul-test-ports");
    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, FileStream> Reserved = [];

    /// <summary>A free loopback port, reserved for this test process.</summary>
    public static int Next()
    {
        var ephemeralLow = EphemeralLow();
        var low = Math.Min(10_000, ephemeralLow / 2);
        Directory.CreateDirectory(LockDirectory);
        lock (Gate)
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var port = Random.Shared.Next(low, ephemeralLow);
                if (Reserved.ContainsKey(port) || TryLock(port) is not { } lockFile)
                {
                    continue;
                }

                if (PortAvailability.Check("port", IPAddress.Loopback, port) is null
                    && PortAvailability.Check("port", IPAddress.Any, port) is null)
                {
                    Reserved.Add(port, lockFile);
                    return port;
                }

                lockFile.Dispose();
            }
        }

        throw new InvalidOperationException($"No free loopback port found in {low}..{ephemeralLow - 1}.");
    }

    /// <summary>An exclusive lock on the port's file (.NET takes flock(2) for FileShare.None); null when another process holds it.</summary>
    private static FileStream? TryLock(int port)
    {
        try
        {
            return new FileStream(
                Path.Combine(LockDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
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
