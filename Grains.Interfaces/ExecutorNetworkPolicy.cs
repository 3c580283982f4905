using System.Net;
using System.Net.Sockets;

namespace Zuul.LiveLog.Grains;

/// <summary>
/// The one rule against an open relay: a build's executor address must lie in its zone's executor networks
/// (<c>Zones:&lt;zone&gt;:ExecutorNetworks</c>, else <c>Builds:ExecutorNetworks</c>). Checked when a build registers
/// (<c>BuildGrain</c>) and again by the finger gateway before it connects to an executor. A zone with no list
/// allows any address, as before (the silo warns about it at start-up).
/// </summary>
public sealed class ExecutorNetworkPolicy
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);
    private readonly IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> _zones;
    private readonly IReadOnlyList<IPNetwork>? _default;

    public ExecutorNetworkPolicy(IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> zones, IReadOnlyList<IPNetwork>? defaultNetworks)
    {
        _zones = zones;
        _default = defaultNetworks is { Count: > 0 } ? defaultNetworks : null;
    }

    /// <summary>No restriction anywhere (nothing configured).</summary>
    public static ExecutorNetworkPolicy AllowAny { get; } = new(new Dictionary<string, IReadOnlyList<IPNetwork>>(), null);

    /// <summary>The networks that apply to builds of <paramref name="zone"/> (null: un-zoned), or null when any address is allowed.</summary>
    public IReadOnlyList<IPNetwork>? NetworksOf(string? zone) =>
        zone is not null && _zones.TryGetValue(zone, out var own) && own.Count > 0 ? own : _default;

    /// <summary>Why an executor at <paramref name="host"/> may not serve builds of <paramref name="zone"/>, or null when it may.</summary>
    public async Task<string?> CheckAsync(string? zone, string host, CancellationToken cancellationToken = default)
    {
        if (NetworksOf(zone) is not { } networks)
        {
            return null;
        }

        IReadOnlyList<IPAddress> addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ResolveTimeout);
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return $"executor host '{host}' cannot be resolved here, so it cannot be checked against the executor networks of {Describe(zone)}";
            }
        }

        // Every address a name stands for must be inside: a connection may go to any of them.
        var outside = addresses.Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Where(a => !networks.Any(n => n.Contains(a))).ToList();
        if (addresses.Count == 0 || outside.Count > 0)
        {
            var shown = host == outside.FirstOrDefault()?.ToString() ? host : $"{host} ({string.Join(", ", outside)})";
            return $"executor address {shown} is outside the executor networks of {Describe(zone)} ({string.Join(", ", networks)})";
        }

        return null;
    }

    /// <summary>Parses CIDR lists (zone name -> networks; key null = the default list), collecting every bad entry.</summary>
    public static ExecutorNetworkPolicy Parse(IReadOnlyDictionary<string, IReadOnlyList<string>> zones, IReadOnlyList<string> defaultNetworks, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentNullException.ThrowIfNull(defaultNetworks);
        ArgumentNullException.ThrowIfNull(errors);
        var parsed = zones.ToDictionary(z => z.Key, z => ParseList(z.Value, $"Zones:{z.Key}:ExecutorNetworks", errors), StringComparer.Ordinal);
        return new ExecutorNetworkPolicy(parsed, ParseList(defaultNetworks, "Builds:ExecutorNetworks", errors));
    }

    private static IReadOnlyList<IPNetwork> ParseList(IReadOnlyList<string> values, string key, List<string> errors)
    {
        var networks = new List<IPNetwork>();
        foreach (var value in values)
        {
            // A bare address is a one-address network.
            var text = value.Contains('/', StringComparison.Ordinal) ? value : IPAddress.TryParse(value, out var single) ? $"{value}/{(single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)}" : value;
            if (IPNetwork.TryParse(text, out var network))
            {
                networks.Add(network);
            }
            else
            {
                errors.Add($"{key}: '{value}' is not a CIDR network such as 10.1.0.0/16.");
            }
        }

        return networks;
    }

    private static string Describe(string? zone) => zone is null ? "un-zoned builds" : $"zone {zone}";
}
