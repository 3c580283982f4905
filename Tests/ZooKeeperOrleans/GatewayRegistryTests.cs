using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>The zone-gateway registry: each silo's finger gateway as an ephemeral sequential node, and the zone grain following it.</summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class GatewayRegistryTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private ClusterHarness _cluster = null!;
    private ZooKeeperClient _observer = null!;

    /// <summary>Between the silos and ZooKeeper, so the expiry test can cut the silo off while it closes its session.</summary>
    private TcpProxy _proxy = null!;

    private string _chroot = string.Empty;

    public async Task InitializeAsync()
    {
        var chroot = await fixture.NewChrootAsync();
        _chroot = chroot;
        _proxy = new TcpProxy(fixture.Server.Port);
        _cluster = new ClusterHarness(_proxy.Via(chroot));
        _observer = await ZooKeeperFixture.ConnectAsync(chroot);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _proxy.DisposeAsync();
        await _observer.DisposeAsync();
    }

    [Fact]
    public async Task GatewayRegistersWithTheProtocolFieldsAndTheZoneGrainFollowsEveryChange()
    {
        var first = await _cluster.StartSiloAsync("zone1");
        var (path, json) = await WaitForSingleEntryAsync(e => e.GetProperty("port").GetInt32() == first.FingerPort);
        Assert.StartsWith(ZooKeeperPaths.FingerGateways + "/127.0.0.1-", path, StringComparison.Ordinal);
        Assert.Equal("fingergw", json.GetProperty("kind").GetString());
        Assert.Equal("127.0.0.1", json.GetProperty("hostname").GetString());
        Assert.Equal(first.FingerPort, json.GetProperty("public_port").GetInt32());
        Assert.Equal("zone1", json.GetProperty("zone").GetString());
        Assert.False(json.GetProperty("tls").GetBoolean());
        Assert.Equal("running", json.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("version").GetString()));
        Assert.True((await _observer.ExistsAsync(path))!.IsEphemeral);

        var zone = _cluster.Grains.GetGrain<IZoneGatewayGrain>("zone1");
        await WaitForZoneAsync(zone, [first.FingerPort]);

        // A second gateway in the zone appears; a third in another zone does not. The second one's stopping is
        // checked from an ApplicationStopping callback registered before it started: cancellation callbacks run newest
        // first, so this one runs after the gateway's own (registered once it listened), and before any listener closes.
        string? atStop = null;
        var stopChecked = false;
        var secondPort = 0;
        _cluster.BeforeSiloStart = app => app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            stopChecked = true;
            atStop = CheckGoneButListening(secondPort);
        });
        var second = await _cluster.StartSiloAsync("zone1");
        secondPort = second.FingerPort;
        _cluster.BeforeSiloStart = null;
        await _cluster.StartSiloAsync("zone2");
        await WaitForZoneAsync(zone, [first.FingerPort, second.FingerPort]);
        var picks = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => zone.PickAsync()));
        Assert.NotEqual(picks[0][0].Port, picks[1][0].Port); // round robin, the other one as fallback
        Assert.All(picks, p => Assert.Equal(2, p.Count));

        // A clean stop: draining, then gone, while the listener still accepts connections.
        var (secondPath, _) = await WaitForSingleEntryAsync(e => e.GetProperty("port").GetInt32() == second.FingerPort);
        await _cluster.StopSiloAsync(second.App);
        Assert.True(stopChecked);
        Assert.Null(atStop);
        Assert.Null(await _observer.ExistsAsync(secondPath));
        Assert.True(_cluster.Logs.Contains("Finger gateway draining: removed " + secondPath), "no draining log line for " + secondPath);
        await WaitForZoneAsync(zone, [first.FingerPort]);
    }

    [Fact]
    public async Task RegistrationComesBackOnANewSessionAfterExpiry()
    {
        var silo = await _cluster.StartSiloAsync("zone1");
        var (path, _) = await WaitForSingleEntryAsync(_ => true);
        var zone = _cluster.Grains.GetGrain<IZoneGatewayGrain>("zone1");
        await WaitForZoneAsync(zone, [silo.FingerPort]);

        var connection = silo.App.Services.GetRequiredService<ZooKeeperConnection>();
        var victim = connection.Sessions.Current!;
        // Recorded as it happens: the session manager closes the expired client soon after, so polling can miss it.
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        victim.StateChanged += state =>
        {
            if (state == ZooKeeperState.Expired)
            {
                expired.TrySetResult();
            }
        };
        await fixture.ExpireSessionAsync(_proxy, victim);

        await Eventually.WithinAsync(expired.Task, "the silo to see its session expired", Timeout);
        var (newPath, json) = await WaitForSingleEntryAsync(_ => true, except: path);
        Assert.NotEqual(path, newPath);
        Assert.Equal("running", json.GetProperty("state").GetString());
        Assert.NotEqual(victim.SessionId, connection.Sessions.Current!.SessionId);
        await WaitForZoneAsync(zone, [silo.FingerPort]);
    }

    /// <summary>Runs inside ApplicationStopping, after the gateway's own callback: null when the node is gone and the listener open.</summary>
    private string? CheckGoneButListening(int port)
    {
        var children = _observer.GetChildrenAsync(ZooKeeperPaths.FingerGateways).GetAwaiter().GetResult().Children;
        foreach (var child in children)
        {
            try
            {
                var data = _observer.GetDataAsync($"{ZooKeeperPaths.FingerGateways}/{child}").GetAwaiter().GetResult();
                using var doc = JsonDocument.Parse(data.Data);
                if (doc.RootElement.GetProperty("port").GetInt32() == port)
                {
                    return $"still registered when the gateway's stopping callback had run: {child} {doc.RootElement}";
                }
            }
            catch (NoNodeException)
            {
            }
        }

        try
        {
            using var tcp = new TcpClient();
            tcp.Connect("127.0.0.1", port);
            return null;
        }
        catch (SocketException ex)
        {
            return "listener already closed: " + ex.Message;
        }
    }

    private async Task<(string Path, JsonElement Json)> WaitForSingleEntryAsync(Func<JsonElement, bool> match, string? except = null)
    {
        (string, JsonElement)? found = null;
        await Eventually.UntilAsync(async () =>
        {
            GetChildrenResult children;
            try
            {
                children = await _observer.GetChildrenAsync(ZooKeeperPaths.FingerGateways);
            }
            catch (NoNodeException)
            {
                return false;
            }
            catch (SessionExpiredException)
            {
                // The observer is only a reader: a lost session of its own is not what these tests are about.
                await _observer.DisposeAsync();
                _observer = await ZooKeeperFixture.ConnectAsync(_chroot);
                return false;
            }

            foreach (var child in children.Children)
            {
                var path = $"{ZooKeeperPaths.FingerGateways}/{child}";
                if (path == except)
                {
                    continue;
                }

                try
                {
                    var data = await _observer.GetDataAsync(path);
                    var json = JsonDocument.Parse(data.Data).RootElement.Clone();
                    if (match(json))
                    {
                        found = (path, json);
                        return true;
                    }
                }
                catch (NoNodeException)
                {
                }
            }

            return false;
        }, "a matching gateway registration in ZooKeeper", Timeout);
        return found!.Value;
    }

    private static Task WaitForZoneAsync(IZoneGatewayGrain zone, int[] ports) =>
        Eventually.UntilAsync(
            async () => (await zone.ListAsync()).Select(g => g.Port).Order().SequenceEqual(ports.Order()),
            $"the zone grain to list exactly the gateways on ports {string.Join(", ", ports)}", Timeout);
}
