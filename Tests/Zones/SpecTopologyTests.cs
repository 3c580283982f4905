using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.Tests.ZooKeeperOrleans;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>
/// The diagram of Zuul's spec ("Enhanced regional distribution of zuul-executors") as a test. Zone 1 (127.0.1.0/24): web frontend, gateway, executor 1. Zone 2
/// (127.0.2.0/24): gateway, executors 2 and 3, which accept only zone 2's network. Plus an un-zoned
/// executor (127.0.3.14). Every build streams completely through the web frontend and through zone 1's
/// finger gateway, and nothing outside zone 2 ever reaches executors 2 or 3. All of it on a real ZooKeeper:
/// membership, gateway lists, grain state and the zone-gateway registry.
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class SpecTopologyTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly IPNetwork Zone2 = IPNetwork.Parse("127.0.2.0/24");
    private ClusterHarness _cluster = null!;
    private readonly List<ExecutorHandle> _executors = [];
    private SiloHandle _gw1 = null!;
    private Uri _web = null!;

    public async Task InitializeAsync()
    {
        _cluster = new ClusterHarness(await fixture.NewChrootAsync());
        _gw1 = await _cluster.StartSiloAsync("zone1", "127.0.1.1", "--FingerGateway:LocalAddress", "127.0.1.1");
        await _cluster.StartSiloAsync("zone2", "127.0.2.1", "--FingerGateway:LocalAddress", "127.0.2.1");
        _executors.Add(await StartExecutorAsync("zone1", "127.0.1.11", "127.0.1.0/24"));
        _executors.Add(await StartExecutorAsync("zone2", "127.0.2.12", "127.0.2.0/24"));
        _executors.Add(await StartExecutorAsync("zone2", "127.0.2.13", "127.0.2.0/24"));
        _executors.Add(await StartExecutorAsync(null, "127.0.3.14", null));
        _web = await _cluster.StartWebFrontendAsync("zone1", "--FingerClient:LocalAddress", "127.0.1.2");
        await _cluster.WaitForGatewaysAsync("zone2", 1);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        foreach (var e in _executors)
        {
            Directory.Delete(e.JobRoot, recursive: true);
        }
    }

    [Fact]
    public async Task EveryBuildStreamsFromOneAddressAndZone2StaysClosed()
    {
        foreach (var executor in _executors)
        {
            var build = await _cluster.StartBuildAsync(executor.JobRoot);
            var web = WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{build.Id}\"}}", Timeout);
            var finger = FingerClient.FetchAsync(_gw1.FingerPort, build.Id + "\n", Timeout, "127.0.1.1");
            for (var i = 0; i < 50; i++)
            {
                await build.AppendAsync($"{executor.App.Urls.FirstOrDefault()} line {i}\n");
            }

            await build.FinishAsync();
            var expected = await File.ReadAllBytesAsync(build.LogPath);
            Assert.Equal(expected, await finger);
            var (status, reason, text) = await web;
            Assert.True(status == WebSocketCloseStatus.NormalClosure, $"websocket for {executor.JobRoot}: {status} {reason}");
            Assert.Equal(Encoding.UTF8.GetString(expected), text);
        }

        // Zone 2's executors were reached, and only from inside zone 2 (its gateway).
        foreach (var executor in _executors.Where(e => e.App.Configuration["Zone"] == "zone2"))
        {
            Assert.NotEmpty(executor.Ledger.Accepted);
            Assert.All(executor.Ledger.Accepted.Keys, a => Assert.True(Zone2.Contains(a), $"{a} reached a zone 2 executor"));
            Assert.Empty(executor.Ledger.Refused);
        }
    }

    [Fact]
    public async Task AZone2ExecutorRefusesAClientFromZone1()
    {
        var executor = _executors[1];
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Parse("127.0.1.50"), 0));
        var buffer = new byte[100];
        int n;
        try
        {
            // The refusal may reset the connection before the request is even sent, or as the connect completes.
            await client.ConnectAsync(IPAddress.Parse("127.0.2.12"), executor.Port);
            await client.SendAsync(Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef\n"), SocketFlags.None);
            n = await client.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Timeout);
        }
        catch (SocketException)
        {
            n = 0; // reset while sending or reading: refused either way
        }

        Assert.Equal(0, n);
        Assert.Equal(1, executor.Ledger.Refused[IPAddress.Parse("127.0.1.50")]);
        Assert.True(_cluster.Logs.Contains("Refused a log stream connection from 127.0.1.50"), "the refusal is logged");
    }

    private async Task<ExecutorHandle> StartExecutorAsync(string? zone, string address, string? allowed)
    {
        var root = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", $"topo-{address}-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        // An un-zoned executor sits in the public network; with every zone its own cluster, it registers with zone 1's.
        string[] cluster = zone is null ? ["--Cluster:Zone", "zone1"] : [];
        return await _cluster.StartExecutorAppAsync(root, zone, address, [.. cluster, .. allowed is null ? [] : new[] { "--Executor:AllowedClients:0", allowed }]);
    }
}
