using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>
/// Zone 2 runs a silo whose finger gateway is switched off (<c>FingerGateway:Enabled=false</c>), so the zone has no
/// gateway; its executor is not reachable from zone 1 (it advertises 127.0.5.2 and listens on 127.0.5.1). A stream of
/// its build falls back to the executor's address (PROTOCOL.md section 3, step 4), fails, and the user is told which
/// zone has no reachable gateway.
/// </summary>
public sealed class NoGatewayInZoneTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ClusterHarness _cluster = new();
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "no-gw-" + Guid.NewGuid().ToString("N"));
    private SiloHandle _gw1 = null!;
    private Microsoft.AspNetCore.Builder.WebApplication _zone2Silo = null!;
    private readonly int _disabledPort = TestPorts.Next();
    private Uri _web = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        _gw1 = await _cluster.StartSiloAsync("zone1");
        _zone2Silo = (await _cluster.StartSiloAsync("zone2", "127.0.0.1", "--FingerGateway:Enabled", "false", "--FingerGateway:Port", _disabledPort.ToString(System.Globalization.CultureInfo.InvariantCulture))).App;
        await _cluster.StartExecutorAppAsync(_jobRoot, "zone2", "127.0.5.1", "--Executor:Hostname", "127.0.5.2");
        _web = await _cluster.StartWebFrontendAsync("zone1");
        await _cluster.WaitForGatewaysAsync("zone1", 1);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task AStreamOfABuildInAZoneWithoutAReachableGatewayNamesTheZone()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync("never seen outside zone 2\n");
        var expected = $"Build ID {build.Id} runs in zone zone2, which has no reachable finger gateway\n";

        Assert.Equal(expected, await FingerClient.FetchTextAsync(_gw1.FingerPort, build.Id + "\n", Timeout));

        var (status, reason, text) = await WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{build.Id}\"}}", Timeout);
        Assert.Equal(4011, (int)status!);
        Assert.Equal(expected.TrimEnd(), reason);
        Assert.Empty(text);
        Assert.True(_cluster.Logs.Contains("connecting to 127.0.5.2:", "(ExecutorFallback) failed"), "the fallback to the executor was tried and logged");
        await build.FinishAsync();
    }

    [Fact]
    public async Task ASiloWithItsGatewaySwitchedOffNeitherListensForFingerNorRegisters()
    {
        // By now zone 1's gateway has registered and zone 2's executor has reached the cluster.
        await _cluster.StartBuildAsync(_jobRoot);
        Assert.Empty(await _cluster.Grains.GetGrain<IZoneGatewayGrain>("zone2").ListAsync());
        Assert.Empty(_zone2Silo.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses);
        Assert.False(_cluster.Logs.Contains("Finger gateway", "zone zone2"), "the switched-off gateway logged as listening or registering");

        // The configured port stays free: nothing listens there.
        using var probe = new System.Net.Sockets.TcpClient();
        var refused = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync("127.0.0.1", _disabledPort));
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
