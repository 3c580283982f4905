using System.Globalization;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A parsed <c>host:port[,host:port...][/chroot]</c>.</summary>
public sealed record ConnectionString(IReadOnlyList<HostEndpoint> Hosts, string? Chroot)
{
    public const int DefaultPort = 2181;

    public static ConnectionString Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        string? chroot = null;
        var hostPart = value.Trim();
        var slash = hostPart.IndexOf('/');
        if (slash >= 0)
        {
            chroot = hostPart[slash..];
            hostPart = hostPart[..slash];
            if (chroot == "/")
            {
                chroot = null;
            }
            else
            {
                ZooKeeperPath.Validate(chroot);
            }
        }

        var hosts = new List<HostEndpoint>();
        foreach (var item in hostPart.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            hosts.Add(ParseHost(item, value));
        }

        if (hosts.Count == 0)
        {
            throw new ArgumentException($"Connection string '{value}' names no host.", nameof(value));
        }

        return new ConnectionString(hosts, chroot);
    }

    private static HostEndpoint ParseHost(string item, string whole)
    {
        // [v6-address]:port, host:port or host alone.
        string host;
        string? port = null;
        if (item.StartsWith('['))
        {
            var close = item.IndexOf(']');
            if (close < 0)
            {
                throw new ArgumentException($"Unclosed '[' in '{whole}'.", nameof(whole));
            }

            host = item[1..close];
            if (close + 1 < item.Length)
            {
                port = item[(close + 1)..].TrimStart(':');
            }
        }
        else
        {
            var colon = item.LastIndexOf(':');
            host = colon < 0 ? item : item[..colon];
            port = colon < 0 ? null : item[(colon + 1)..];
        }

        var portNumber = DefaultPort;
        if (!string.IsNullOrEmpty(port) &&
            (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            throw new ArgumentException($"Invalid port '{port}' in '{whole}'.", nameof(whole));
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"Empty host in '{whole}'.", nameof(whole));
        }

        return new HostEndpoint(host, portNumber);
    }
}
