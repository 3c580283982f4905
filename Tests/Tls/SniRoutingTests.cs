using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Tls;

/// <summary>
/// Two zones' TLS gateways behind one TLS-passthrough router on one port (as one Kubernetes Ingress/Route):
/// both register the router's port as their public port, and the router picks the zone by SNI.
/// </summary>
public sealed class SniRoutingTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ClusterHarness _cluster = new();
    private readonly TestPki _pki = new();
    private readonly ConcurrentDictionary<string, int> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _jobRoots = [];
    private SniRouter _router = null!;
    private Uri _web = null!;

    public async Task InitializeAsync()
    {
        _router = new SniRouter(_routes);
        var port = _router.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await _cluster.StartSiloAsync("public");
        foreach (var zone in new[] { "zone2", "zone3" })
        {
            var name = $"gw.{zone}.test";
            var cert = _pki.Issue(zone, name);
            var gw = await _cluster.StartSiloAsync(zone, "127.0.0.1",
                "--FingerGateway:Hostname", name, "--FingerGateway:PublicPort", port,
                "--FingerGateway:Tls:Certificate", cert.Certificate, "--FingerGateway:Tls:Key", cert.Key,
                "--FingerGateway:Tls:Ca", _pki.CaPath);
            _routes[name] = gw.FingerPort;
            _jobRoots[zone] = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", $"sni-{zone}-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_jobRoots[zone]);
            await _cluster.StartExecutorAsync(_jobRoots[zone], zone);
            await _cluster.WaitForGatewaysAsync(zone, 1);
        }

        var web = _pki.Issue("web", "web.public.test");
        _web = await _cluster.StartWebFrontendAsync("public",
            "--FingerClient:Tls:Certificate", web.Certificate, "--FingerClient:Tls:Key", web.Key, "--FingerClient:Tls:Ca", _pki.CaPath,
            "--FingerClient:Hosts:gw.zone2.test", "127.0.0.1", "--FingerClient:Hosts:gw.zone3.test", "127.0.0.1");
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _router.DisposeAsync();
        _pki.Dispose();
        foreach (var root in _jobRoots.Values)
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task EachBuildReachesItsZoneByNameThroughOnePort()
    {
        var zone2 = await _cluster.StartBuildAsync(_jobRoots["zone2"]);
        var zone3 = await _cluster.StartBuildAsync(_jobRoots["zone3"]);
        await zone2.AppendAsync("from zone 2\n");
        await zone3.AppendAsync("from zone 3\n");
        await zone2.FinishAsync();
        await zone3.FinishAsync();

        var (s2, _, t2) = await WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{zone2.Id}\"}}", Timeout);
        var (s3, _, t3) = await WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{zone3.Id}\"}}", Timeout);
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "from zone 2\n"), (s2!.Value, t2));
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "from zone 3\n"), (s3!.Value, t3));
        lock (_router.Seen)
        {
            Assert.Equal(["gw.zone2.test", "gw.zone3.test"], _router.Seen);
        }
    }
}
