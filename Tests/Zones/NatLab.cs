using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>
/// The spec's topology in real network namespaces. The test's own namespace is the WAN host: ZooKeeper, zone A
/// (silo with finger gateway, web frontend, executor) and the users. Zones B and C each sit on a private LAN behind a
/// NAT router whose only inbound rule forwards the finger gateway port (7979) to the zone's silo; their silos advertise
/// their private address and reach ZooKeeper outbound. The WAN hosts have routes to both LANs through the routers, so
/// any attempt to reach a LAN other than through the forwarded port is dropped by the router and counted.
/// <code>
///  test ns (WAN host, 10.n.0.100): ZooKeeper, silo A, web A, executor A
///    └─ bridge (WAN 10.n.0.0/24) ─┬─ router B 10.n.0.2 ── LAN B 10.n.2.0/24: silo B + executor B (10.n.2.10)
///                                  └─ router C 10.n.0.3 ── LAN C 10.n.3.0/24: silo C + executor C (10.n.3.10)
/// </code>
/// </summary>
public sealed class NatLab : IAsyncLifetime
{
    public const int FingerPort = 7979;
    private const int SiloPort = 11111;
    private const int OrleansGatewayPort = 30000;
    private const int ExecutorPort = 7900;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long gateways and the web frontend resume a failed stream: longer than the default 30 s, because a silo
    /// restarted on this loaded test machine can take longer than that to register its gateway again.
    /// </summary>
    public static readonly TimeSpan ResumeWindow = TimeSpan.FromSeconds(90);

    private static readonly string ResumeWindowArg = ResumeWindow.ToString("c", CultureInfo.InvariantCulture);

    private readonly NetworkLab _net = new();
    private readonly List<ComponentProcess> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private string _wanNs = null!;

    public ZooKeeperServer ZooKeeper { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    public string ClusterId { get; } = "nat-" + Guid.NewGuid().ToString("N")[..6];

    public ComponentProcess SiloA { get; private set; } = null!;

    public ComponentProcess Web { get; private set; } = null!;

    public Uri WebUri { get; private set; } = null!;

    /// <summary>The web frontend's admin listener (zones and gateways views).</summary>
    public Uri AdminUri { get; private set; } = null!;

    public int GatewayAPort { get; private set; }

    public Zone A { get; private set; } = null!;

    public Zone B { get; private set; } = null!;

    public Zone C { get; private set; } = null!;

    public string Wan(int host) => _net.Address(0, host);

    public async Task InitializeAsync()
    {
        NetworkLab.EnsureSupported();
        _wanNs = await _net.AddNamespaceAsync("w");
        await _net.AddBridgeAsync(_wanNs);
        await _net.PlugIntoBridgeAsync(null, "wan", Wan(100) + "/24", _wanNs, "0");
        ZooKeeper = await ZooKeeperServer.StartAsync(Wan(100));
        ConnectionString = ZooKeeper.ConnectionString + "/" + ClusterId;

        var root = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", ClusterId);
        A = new Zone("zoneA", null, null, null, Path.Combine(root, "jobs-a"));
        B = await AddNatZoneAsync("zoneB", 'b', 2, Path.Combine(root, "jobs-b"));
        C = await AddNatZoneAsync("zoneC", 'c', 3, Path.Combine(root, "jobs-c"));
        await _net.AddRouteAsync(B.RouterNs, C.Lan(0) + "/24", Wan(3));
        await _net.AddRouteAsync(C.RouterNs, B.Lan(0) + "/24", Wan(2));

        // Zone A on the WAN host: loopback between its own processes.
        var inv = CultureInfo.InvariantCulture;
        var siloPort = TestPorts.Next();
        var orleansGateway = TestPorts.Next();
        GatewayAPort = TestPorts.Next();
        SiloA = Start("silo-a", null, "Orleans.Zuul.Silo.dll", [
            .. SiloArgs("zoneA", "127.0.0.1"),
            "--Orleans:SiloPort", siloPort.ToString(inv), "--Orleans:GatewayPort", orleansGateway.ToString(inv),
            "--FingerGateway:ListenAddress", "127.0.0.1", "--FingerGateway:Port", GatewayAPort.ToString(inv),
            "--FingerGateway:Hostname", "127.0.0.1",
        ]);
        A.Silo = SiloA;
        B.Silo = StartNatSilo(B);
        C.Silo = StartNatSilo(C);
        var webPort = TestPorts.Next();
        WebUri = new Uri($"http://127.0.0.1:{webPort.ToString(inv)}/");
        // The gateway registry is an admin view: served on the admin listener only.
        AdminUri = new Uri($"http://127.0.0.1:{TestPorts.Next().ToString(inv)}/");
        Web = Start("web-a", null, "Orleans.Zuul.WebFrontend.dll", [
            .. ClientArgs("zoneA"), "--urls", WebUri.ToString().TrimEnd('/'), "--Web:AdminUrls", AdminUri.ToString().TrimEnd('/'),
            "--FingerClient:ResumeWindow", ResumeWindowArg]);
        A.Executor = StartExecutor(A, null, "127.0.0.1", TestPorts.Next());
        B.Executor = StartExecutor(B, B.Ns, B.Lan(10), ExecutorPort);
        C.Executor = StartExecutor(C, C.Ns, C.Lan(10), ExecutorPort);

        await Eventually.UntilAsync(
            async () => (await RunningGatewaysAsync()).Count == 3,
            $"a running finger gateway registered in each zone\n{DescribeProcesses()}", StartTimeout);
        foreach (var p in _processes)
        {
            await p.WaitForLogAsync(StartTimeout, p.Name.StartsWith("executor", StringComparison.Ordinal) ? "Registering builds as" : "Application started");
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            await p.DisposeAsync();
        }

        if (ZooKeeper is not null)
        {
            await ZooKeeper.DisposeAsync();
        }

        await _net.DisposeAsync();
        _http.Dispose();
        var root = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", ClusterId);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The running gateways the web frontend's zone sees, as <c>zone hostname:port</c>.</summary>
    public async Task<List<string>> RunningGatewaysAsync()
    {
        try
        {
            var gateways = await _http.GetFromJsonAsync<JsonElement>(new Uri(AdminUri, "api/gateways"));
            return gateways.EnumerateArray()
                .Where(g => g.GetProperty("state").GetString() == "running")
                .Select(g => $"{g.GetProperty("zone").GetString()} {g.GetProperty("hostname").GetString()}:{g.GetProperty("port").GetInt32()}")
                .ToList();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return []; // not up yet
        }
    }

    /// <summary>The build's state in the web frontend's list (<c>/api/tenant/default/builds</c>), null while it is not listed.</summary>
    public async Task<string?> ListedStateAsync(string uuid)
    {
        var builds = await _http.GetFromJsonAsync<JsonElement>(new Uri(WebUri, $"api/tenant/{BuildRecords.DefaultTenant}/builds"));
        return builds.EnumerateArray().Where(b => b.GetProperty("uuid").GetString() == uuid)
            .Select(b => b.GetProperty("state").GetString()).FirstOrDefault();
    }

    /// <summary>Creates a build in <paramref name="zone"/>'s job root and waits until the web frontend (zone A) lists it; returns how long that took.</summary>
    public async Task<(TestBuild Build, TimeSpan Visible)> StartBuildAsync(Zone zone, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var build = new TestBuild(zone.JobRoot);
        await Eventually.UntilAsync(async () => await ListedStateAsync(build.Id) == "running",
            $"build {build.Id} of {zone.Name} to be listed as running by the web frontend in zone A\n{DescribeProcesses()}", timeout);
        return (build, watch.Elapsed);
    }

    /// <summary>Packets an iptables rule (by comment) of a zone's router counted.</summary>
    public static Task<long> CountAsync(Zone zone, string comment) => NetworkLab.PacketsAsync(zone.RouterNs!, "filter", "FORWARD", comment);

    /// <summary>Cuts (or restores) every packet between a zone's LAN and the WAN at its router, silently.</summary>
    public async Task CutAsync(Zone zone, bool cut)
    {
        foreach (var direction in new[] { "-i", "-o" })
        {
            await NetworkLab.ExecAsync(zone.RouterNs!, "iptables", cut ? "-I" : "-D", "FORWARD", direction, "wan", "-j", "DROP", "-m", "comment", "--comment", "cut");
        }
    }

    /// <summary>A Python finger client run inside a namespace: a user inside the zone.</summary>
    public static async Task<byte[]> FingerInsideAsync(string ns, string host, int port, string uuid)
    {
        var script = "import socket,sys\ns=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=30)\ns.sendall(sys.argv[3].encode()+b'\\n')\nout=bytearray()\n"
            + "while True:\n  d=s.recv(65536)\n  if not d: break\n  out+=d\nsys.stdout.buffer.write(bytes(out).hex().encode())\n";
        var hex = await NetworkLab.ExecAsync(ns, "python3", "-c", script, host, port.ToString(CultureInfo.InvariantCulture), uuid);
        return Convert.FromHexString(hex.Trim());
    }

    /// <summary>Every cluster's membership rows as <c>status</c> strings, read from ZooKeeper.</summary>
    public async Task<Dictionary<string, List<string>>> MembershipAsync()
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var zone in new[] { A, B, C })
        {
            await using var providers = new Zuul.LiveLog.Tests.ZooKeeperOrleans.Providers(ConnectionString, $"{ClusterId}@{zone.Name}");
            var table = await providers.Table.ReadAll();
            result[zone.Name] = table.Members.Select(m => m.Item1.Status.ToString()).ToList();
        }

        return result;
    }

    public string DescribeProcesses() => string.Join('\n', _processes.Select(p => $"{p.Name}: {(p.HasExited ? "EXITED" : "running")}\n{p.Tail(12)}"));

    private async Task<Zone> AddNatZoneAsync(string name, char letter, int subnet, string jobRoot)
    {
        var router = await _net.AddNamespaceAsync("r" + letter);
        var lan = await _net.AddNamespaceAsync("z" + letter);
        var zone = new Zone(name, lan, router, subnet, jobRoot) { Octet = _net.Octet };
        await _net.PlugIntoBridgeAsync(router, "wan", Wan(subnet) + "/24", _wanNs, letter.ToString());
        await _net.LinkAsync(router, "lan", zone.Lan(1) + "/24", lan, "eth0", zone.Lan(10) + "/24");
        await NetworkLab.ExecAsync(lan, "ip", "route", "add", "default", "via", zone.Lan(1));
        await NetworkLab.ExecAsync(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        var port = FingerPort.ToString(CultureInfo.InvariantCulture);
        string[][] rules =
        [
            ["-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"],
            // The zone's one public service: the finger gateway.
            ["-t", "nat", "-A", "PREROUTING", "-i", "wan", "-p", "tcp", "--dport", port, "-j", "DNAT", "--to-destination", $"{zone.Lan(10)}:{port}"],
            ["-A", "FORWARD", "-i", "lan", "-o", "wan", "-j", "ACCEPT", "-m", "comment", "--comment", "outbound"],
            ["-A", "FORWARD", "-i", "wan", "-o", "lan", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
            ["-A", "FORWARD", "-i", "wan", "-o", "lan", "-m", "conntrack", "--ctstate", "DNAT", "-p", "tcp", "-d", zone.Lan(10), "--dport", port, "-j", "ACCEPT", "-m", "comment", "--comment", "gateway-in"],
            // Counted separately: any attempt at the silo's Orleans ports from outside the zone.
            ["-A", "FORWARD", "-i", "wan", "-o", "lan", "-p", "tcp", "-m", "multiport", "--dports", $"{SiloPort},{OrleansGatewayPort}", "-j", "DROP", "-m", "comment", "--comment", "silo-ports-in"],
            ["-A", "FORWARD", "-i", "wan", "-o", "lan", "-j", "DROP", "-m", "comment", "--comment", "other-in"],
        ];
        foreach (var rule in rules)
        {
            await NetworkLab.ExecAsync(router, ["iptables", .. rule]);
        }

        await _net.AddRouteAsync(null, zone.Lan(0) + "/24", Wan(subnet));
        return zone;
    }

    private ComponentProcess StartNatSilo(Zone zone) =>
        Start("silo-" + zone.Name[^1..].ToLowerInvariant(), zone.Ns, "Orleans.Zuul.Silo.dll", [
            .. SiloArgs(zone.Name, zone.Lan(10)),
            "--Orleans:SiloPort", SiloPort.ToString(CultureInfo.InvariantCulture),
            "--Orleans:GatewayPort", OrleansGatewayPort.ToString(CultureInfo.InvariantCulture),
            "--FingerGateway:ListenAddress", "0.0.0.0", "--FingerGateway:Port", FingerPort.ToString(CultureInfo.InvariantCulture),
            // Reached from outside at the router's WAN address, through its one forwarding rule.
            "--FingerGateway:Hostname", Wan(zone.Subnet!.Value),
        ]);

    private ComponentProcess StartExecutor(Zone zone, string? ns, string address, int port)
    {
        Directory.CreateDirectory(zone.JobRoot);
        string[] allowed = zone.Ns is null ? [] : ["--Executor:AllowedClients:0", zone.Lan(0) + "/24"];
        return Start("executor-" + zone.Name[^1..].ToLowerInvariant(), ns, "Orleans.Zuul.Executor.dll", [
            .. ClientArgs(zone.Name),
            "--Executor:JobRoot", zone.JobRoot,
            "--Executor:LogStreamPort", port.ToString(CultureInfo.InvariantCulture),
            "--Executor:ListenAddress", address,
            "--Executor:Hostname", address,
            "--Executor:JobRootScanInterval", "00:00:00.200",
            .. allowed,
        ]);
    }

    private string[] SiloArgs(string zone, string advertised) =>
    [
        .. ClientArgs(zone),
        "--Orleans:AdvertisedAddress", advertised,
        "--FingerGateway:RequestTimeout", "00:00:05",
        "--FingerGateway:ResumeWindow", ResumeWindowArg,
        "--Orleans:Membership:ProbeTimeout", "00:00:01",
        "--Orleans:Membership:NumMissedProbesLimit", "2",
        "--Orleans:Membership:NumVotesForDeathDeclaration", "1",
        "--Orleans:Membership:IAmAliveTablePublishTimeout", "00:00:05",
        "--Orleans:Membership:TableRefreshTimeout", "00:00:02",
    ];

    private string[] ClientArgs(string zone) =>
    [
        "--Zone", zone,
        "--Cluster:Id", ClusterId,
        "--ZooKeeper:ConnectionString", ConnectionString,
        "--ZooKeeper:SessionTimeout", "00:00:04",
        "--ZooKeeper:ConnectTimeout", "00:00:03",
        "--ZooKeeper:MaxRetryDelay", "00:00:01",
        "--ZooKeeper:Clustering:GatewayListRefreshPeriod", "00:00:01",
        "--Logging:LogLevel:Default", "Warning",
        "--Logging:LogLevel:Zuul.LiveLog", "Information",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
    ];

    private ComponentProcess Start(string name, string? ns, string dll, string[] args)
    {
        var process = ComponentProcess.Start(name, ns, dll, args);
        _processes.Add(process);
        return process;
    }

    /// <summary>One zone: its LAN namespace and router (none for zone A, on the WAN host), and its processes.</summary>
    public sealed record Zone(string Name, string? Ns, string? RouterNs, int? Subnet, string JobRoot)
    {
        public int Octet { get; init; }

        public ComponentProcess Silo { get; set; } = null!;

        public ComponentProcess Executor { get; set; } = null!;

        /// <summary>An address on the zone's LAN.</summary>
        public string Lan(int host) => $"10.{Octet}.{Subnet}.{host}";
    }
}
