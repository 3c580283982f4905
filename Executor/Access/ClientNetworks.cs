using System.Net;

namespace Zuul.LiveLog.Executor;

/// <summary>The networks allowed to open log streams (<c>Executor:AllowedClients</c>); empty = everyone.</summary>
public sealed class ClientNetworks
{
    private readonly IReadOnlyList<IPNetwork> _networks;

    public ClientNetworks(IEnumerable<string> entries)
    {
        _networks = entries.Select(Parse).ToList();
    }

    public bool AllowsEveryone => _networks.Count == 0;

    public bool Allows(IPAddress address)
    {
        if (AllowsEveryone)
        {
            return true;
        }

        // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d.
        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _networks.Any(n => n.Contains(normalized));
    }

    public override string ToString() => AllowsEveryone ? "everyone" : string.Join(", ", _networks);

    private static IPNetwork Parse(string entry) =>
        IPAddress.TryParse(entry, out var single)
            ? new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : IPNetwork.Parse(entry);
}
