using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// Real Linux network namespaces for tests about separate networks: namespaces, veth pairs, a bridge, routes and
/// iptables rules, made with Debian's iproute2 and iptables (the tests run as root). Names carry a random tag and
/// the addresses are private (<c>10.&lt;n&gt;.0.0/16</c>, never routed off the machine); everything is removed on dispose.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    private readonly List<string> _namespaces = [];
    private readonly List<string> _rootLinks = [];
    private readonly List<string> _rootRoutes = [];

    public NetworkLab()
    {
        Tag = Guid.NewGuid().ToString("N")[..5];
        Octet = Random.Shared.Next(100, 200);
    }

    /// <summary>A short random tag in every name (interface names are limited to 15 characters).</summary>
    public string Tag { get; }

    /// <summary>The second octet of every address of this lab.</summary>
    public int Octet { get; }

    /// <summary><c>10.&lt;Octet&gt;.&lt;subnet&gt;.&lt;host&gt;</c>.</summary>
    public string Address(int subnet, int host) => $"10.{Octet}.{subnet}.{host}";

    /// <summary>Fails with a clear message when the machine cannot run the lab (not root, tools missing).</summary>
    public static void EnsureSupported()
    {
        if (Environment.UserName != "root" && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Network namespace tests need root (CI runs as root).");
        }

        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/iptables" })
        {
            if (!File.Exists(tool))
            {
                throw new InvalidOperationException($"{tool} not found: scripts/test.sh installs iproute2 and iptables.");
            }
        }
    }

    /// <summary>Creates a namespace with loopback up; returns its full name.</summary>
    public async Task<string> AddNamespaceAsync(string role)
    {
        var name = $"oz{Tag}{role}";
        await RunAsync("ip", "netns", "add", name);
        _namespaces.Add(name);
        await ExecAsync(name, "ip", "link", "set", "lo", "up");
        return name;
    }

    /// <summary>A bridge named <c>br0</c> inside <paramref name="ns"/>.</summary>
    public async Task AddBridgeAsync(string ns)
    {
        await ExecAsync(ns, "ip", "link", "add", "br0", "type", "bridge");
        await ExecAsync(ns, "ip", "link", "set", "br0", "up");
    }

    /// <summary>
    /// Connects <paramref name="ns"/> (null = the test's own namespace) to the bridge in <paramref name="bridgeNs"/>
    /// with <paramref name="address"/> (CIDR) on interface <paramref name="ifName"/> (in the test's namespace:
    /// <c>o&lt;tag&gt;&lt;ifName&gt;</c>). <paramref name="port"/> names the bridge's side and must be unique in the lab.
    /// </summary>
    public async Task PlugIntoBridgeAsync(string? ns, string ifName, string address, string bridgeNs, string port)
    {
        var peer = $"b{Tag}{port}";
        var local = ns is null ? $"o{Tag}{ifName}" : $"t{Tag}{port}";
        await RunAsync("ip", "link", "add", local, "type", "veth", "peer", "name", peer);
        if (ns is null)
        {
            _rootLinks.Add(local);
        }
        else
        {
            await RunAsync("ip", "link", "set", local, "netns", ns);
            await ExecAsync(ns, "ip", "link", "set", local, "name", ifName);
            local = ifName;
        }

        await RunAsync("ip", "link", "set", peer, "netns", bridgeNs);
        await ExecAsync(bridgeNs, "ip", "link", "set", peer, "master", "br0");
        await ExecAsync(bridgeNs, "ip", "link", "set", peer, "up");
        await InAsync(ns, "ip", "addr", "add", address, "dev", local);
        await InAsync(ns, "ip", "link", "set", local, "up");
    }

    /// <summary>A point-to-point link between two namespaces.</summary>
    public async Task LinkAsync(string nsA, string ifA, string addressA, string nsB, string ifB, string addressB)
    {
        var tmpA = $"t{Tag}{ifA}";
        var tmpB = $"u{Tag}{ifB}";
        await RunAsync("ip", "link", "add", tmpA, "type", "veth", "peer", "name", tmpB);
        await RunAsync("ip", "link", "set", tmpA, "netns", nsA);
        await RunAsync("ip", "link", "set", tmpB, "netns", nsB);
        await ExecAsync(nsA, "ip", "link", "set", tmpA, "name", ifA);
        await ExecAsync(nsB, "ip", "link", "set", tmpB, "name", ifB);
        await ExecAsync(nsA, "ip", "addr", "add", addressA, "dev", ifA);
        await ExecAsync(nsB, "ip", "addr", "add", addressB, "dev", ifB);
        await ExecAsync(nsA, "ip", "link", "set", ifA, "up");
        await ExecAsync(nsB, "ip", "link", "set", ifB, "up");
    }

    /// <summary>Adds a route in <paramref name="ns"/> (null = the test's own namespace, removed on dispose).</summary>
    public async Task AddRouteAsync(string? ns, string destination, string via)
    {
        await InAsync(ns, "ip", "route", "add", destination, "via", via);
        if (ns is null)
        {
            _rootRoutes.Add(destination);
        }
    }

    /// <summary>Runs a command in <paramref name="ns"/>; throws with its output when it fails.</summary>
    public static Task<string> ExecAsync(string ns, params string[] command) => RunAsync("ip", ["netns", "exec", ns, .. command]);

    /// <summary>Reads one iptables rule's packet counter: the rule in <paramref name="chain"/> whose comment is <paramref name="comment"/>.</summary>
    public static async Task<long> PacketsAsync(string ns, string table, string chain, string comment)
    {
        var listing = await ExecAsync(ns, "iptables", "-t", table, "-L", chain, "-n", "-v", "-x");
        foreach (var line in listing.Split('\n'))
        {
            if (line.Contains($"/* {comment} */", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"No rule with comment '{comment}' in {table}/{chain} of {ns}:\n{listing}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var route in _rootRoutes)
        {
            await TryRunAsync("ip", "route", "del", route);
        }

        foreach (var link in _rootLinks)
        {
            await TryRunAsync("ip", "link", "del", link);
        }

        // Deleting a namespace deletes its interfaces, and a veth pair goes with either end.
        for (var i = _namespaces.Count - 1; i >= 0; i--)
        {
            await TryRunAsync("ip", "netns", "del", _namespaces[i]);
        }
    }

    private static Task<string> InAsync(string? ns, params string[] command) =>
        ns is null ? RunAsync(command[0], command[1..]) : ExecAsync(ns, command);

    private static async Task TryRunAsync(string file, params string[] args)
    {
        try
        {
            await RunAsync(file, args);
        }
        catch (InvalidOperationException)
        {
            // Cleanup is best effort: the namespace may already be gone.
        }
    }

    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            var command = new StringBuilder(file);
            foreach (var arg in args)
            {
                command.Append(' ').Append(arg);
            }

            throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}: {await stderr}{output}");
        }

        return output;
    }
}
