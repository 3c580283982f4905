using System.Net.WebSockets;
using Orleans.Zuul.Grains;
using Orleans.Zuul.Tests.Integration;

namespace Orleans.Zuul.Tests.Zones;

/// <summary>Several gateways in one zone: load is spread, a refusing gateway is skipped, a draining one is not chosen.</summary>
public sealed class ZoneGatewayTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ClusterHarness _cluster = new();
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "zones-" + Guid.NewGuid().ToString("N"));
    private SiloHandle _gw2a = null!;
    private SiloHandle _gw2b = null!;
    private Uri _web = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        await _cluster.StartSiloAsync("zone1");
        _gw2a = await _cluster.StartSiloAsync("zone2");
        _gw2b = await _cluster.StartSiloAsync("zone2");
        await _cluster.StartExecutorAsync(_jobRoot, "zone2");
        _web = await _cluster.StartWebFrontendAsync("zone1");
        await _cluster.WaitForGatewaysAsync("zone2", 2);
    }

    public async Task DisposeAsync()
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
        var deadPort = FreePort.Next();
        await _cluster.Grains.GetGrain<IZoneGatewayGrain>("zone2")
            .RegisterAsync(new GatewayEndpoint("127.0.0.1", deadPort, false, "zone2", GatewayState.Running));
        for (var i = 0; i < 3; i++)
        {
            await StreamOneBuildAsync();
        }

        Assert.True(_cluster.Logs.Contains($"connecting to 127.0.0.1:{deadPort} (Gateway) failed"), "the refused gateway was tried and logged");
    }

    [Fact]
    public async Task ADrainingGatewayIsNotChosen()
    {
        await _gw2b.App.StopAsync();
        // The registry may have lived on the stopped silo; the remaining gateway re-registers on the membership change.
        await Deadline.UntilAsync(
            async () => (await _cluster.Grains.GetGrain<IZoneGatewayGrain>("zone2").PickAsync()).Select(g => g.Port).SequenceEqual([_gw2a.FingerPort]),
            Timeout, "zone 2 to list only the gateway that is still running");
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
