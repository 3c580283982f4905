using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.Tests.ZooKeeperOrleans;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>
/// Several gateways in one zone: load is spread, a refusing gateway is skipped, a draining one is never chosen, a stopped one leaves.
/// Run with the embedded registry and with the ZooKeeper registry.
/// </summary>
public abstract class ZoneGatewayTestsBase : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private ClusterHarness _cluster = null!;
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "zones-" + Guid.NewGuid().ToString("N"));
    private SiloHandle _gw2a = null!;
    private SiloHandle _gw2b = null!;
    private Uri _web = null!;

    protected ClusterHarness Cluster => _cluster;

    /// <summary>The cluster to test: embedded, or on a fresh ZooKeeper chroot.</summary>
    protected abstract Task<ClusterHarness> NewClusterAsync();

    /// <summary>Registers a gateway of zone 2 on 127.0.0.1 at <paramref name="port"/> in <paramref name="state"/>, as another process would.</summary>
    protected abstract Task RegisterGatewayAsync(int port, GatewayState state);

    public async Task InitializeAsync()
    {
        _cluster = await NewClusterAsync();
        Directory.CreateDirectory(_jobRoot);
        await _cluster.StartSiloAsync("zone1");
        _gw2a = await _cluster.StartSiloAsync("zone2");
        _gw2b = await _cluster.StartSiloAsync("zone2");
        await _cluster.StartExecutorAsync(_jobRoot, "zone2");
        _web = await _cluster.StartWebFrontendAsync("zone1");
        await _cluster.WaitForGatewaysAsync("zone2", 2);
    }

    public virtual async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task StreamsAreSpreadOverTheZonesGateways()
    {
        var zone = _cluster.Grains.GetGrain<IZoneGatewayGrain>("zone2");
        var firsts = new HashSet<int>();
        for (var i = 0; i < 4; i++)
        {
            var order = await zone.PickAsync();
            Assert.Equal(2, order.Count);
            firsts.Add(order[0].Port);
        }

        Assert.Equal(new HashSet<int> { _gw2a.FingerPort, _gw2b.FingerPort }, firsts);
        for (var i = 0; i < 4; i++)
        {
            await StreamOneBuildAsync();
        }
    }

    [Fact]
    public async Task ARefusingGatewayIsSkippedForTheNextLiveOne()
    {
        var deadPort = TestPorts.Next(); // reserved, and nothing listens there
        await RegisterGatewayAsync(deadPort, GatewayState.Running);
        await _cluster.WaitForGatewaysAsync("zone2", 3);
        for (var i = 0; i < 3; i++)
        {
            await StreamOneBuildAsync();
        }

        Assert.True(_cluster.Logs.Contains($"connecting to 127.0.0.1:{deadPort} (Gateway) failed"), "the refused gateway was tried and logged");
    }

    [Fact]
    public async Task ADrainingGatewayIsNotChosen()
    {
        // A draining gateway that would accept connections: if it were ever chosen, the listener would see it.
        using var draining = new TcpListener(IPAddress.Loopback, 0);
        draining.Start();
        var drainingPort = ((IPEndPoint)draining.LocalEndpoint).Port;
        var accepted = 0;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var connection = await draining.AcceptTcpClientAsync();
                    Interlocked.Increment(ref accepted);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The listener stopped at the end of the test.
            }
        });
        await RegisterGatewayAsync(drainingPort, GatewayState.Draining);
        var zone = _cluster.Grains.GetGrain<IZoneGatewayGrain>("zone2");
        await Eventually.UntilAsync(
            async () => (await zone.ListAsync()).Any(g => g.Port == drainingPort && g.State == GatewayState.Draining), "zone 2 to list the draining gateway", Timeout);

        for (var i = 0; i < 4; i++)
        {
            var picked = await zone.PickAsync();
            Assert.Equal(new[] { _gw2a.FingerPort, _gw2b.FingerPort }.Order(), picked.Select(g => g.Port).Order());
            await StreamOneBuildAsync();
        }

        Assert.Equal(0, Volatile.Read(ref accepted));
        Assert.False(_cluster.Logs.Contains($"127.0.0.1:{drainingPort} "), "the draining gateway was tried");
    }

    [Fact]
    public async Task AStoppedGatewayLeavesTheZone()
    {
        await _gw2b.App.StopAsync();
        // The registry may have lived on the stopped silo; the remaining gateway re-registers on the membership change.
        await Eventually.UntilAsync(
            async () => (await _cluster.Grains.GetGrain<IZoneGatewayGrain>("zone2").PickAsync()).Select(g => g.Port).SequenceEqual([_gw2a.FingerPort]), "zone 2 to list only the gateway that is still running", Timeout);
        await StreamOneBuildAsync();
    }

    private async Task StreamOneBuildAsync()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync($"log of {build.Id}\n");
        await build.FinishAsync();
        var (status, reason, text) = await WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{build.Id}\"}}", Timeout);
        Assert.True(status == WebSocketCloseStatus.NormalClosure, $"stream failed: {status} {reason}");
        Assert.Equal($"log of {build.Id}\n", text);
    }
}

/// <summary>The embedded registry: gateways register with the zone's grain under a lease.</summary>
public sealed class ZoneGatewayTests : ZoneGatewayTestsBase
{
    protected override Task<ClusterHarness> NewClusterAsync() => Task.FromResult(new ClusterHarness());

    protected override Task RegisterGatewayAsync(int port, GatewayState state) =>
        Cluster.Grains.GetGrain<IZoneGatewayGrain>("zone2").RegisterAsync(new GatewayEndpoint("127.0.0.1", port, false, "zone2", state));
}

/// <summary>The ZooKeeper registry: ephemeral nodes under /components/fingergw, read through watches.</summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class ZoneGatewayOnZooKeeperTests(ZooKeeperFixture fixture) : ZoneGatewayTestsBase
{
    private ZooKeeperClient? _zk;

    protected override async Task<ClusterHarness> NewClusterAsync() => new(await fixture.NewChrootAsync());

    protected override async Task RegisterGatewayAsync(int port, GatewayState state)
    {
        // The node lives as long as this test's session, like another gateway process's registration.
        _zk = await ZooKeeperFixture.ConnectAsync(Cluster.ZooKeeper!);
        var entry = new RegisteredGateway(RegisteredGateway.FingerGatewayKind, "127.0.0.1", port, port, "zone2", false, state.ToString().ToLowerInvariant(), "test");
        await _zk.CreateAsync("/components/fingergw/127.0.0.1-", entry.ToJson(), mode: CreateMode.EphemeralSequential);
    }

    [Fact]
    public async Task ARegistrationSentToTheGrainIsRefusedNotLost()
    {
        var zone = Cluster.Grains.GetGrain<IZoneGatewayGrain>("zone2");
        // Crosses to the client as the silo's classified error (GrainErrorBoundary): permanent, naming the original type.
        var error = await Assert.ThrowsAsync<GrainCallException>(() => zone.RegisterAsync(new GatewayEndpoint("127.0.0.1", 1, false, "zone2", GatewayState.Running)));
        Assert.False(error.Transient);
        Assert.Contains(nameof(NotSupportedException), error.ErrorType, StringComparison.Ordinal);
        Assert.Contains("register in ZooKeeper", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await zone.ListAsync(), g => g.Port == 1);
    }

    public override async Task DisposeAsync()
    {
        if (_zk is not null)
        {
            await _zk.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
