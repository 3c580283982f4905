using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>ZooKeeper restarted under a running cluster: resolved streams keep flowing, registrations and health recover.</summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class ZooKeeperRestartTests(ZooKeeperFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "zk-restart-" + Guid.NewGuid().ToString("N"));
    private ClusterHarness _cluster = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        _cluster = new ClusterHarness(await fixture.NewChrootAsync());
    }

    public async Task DisposeAsync()
    {
        await fixture.Server.StartAsync(CancellationToken.None); // whatever happened, leave the server running
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task StreamsKeepFlowingAndTheClusterRecovers()
    {
        var healthPort = TestPorts.Next();
        var silo = await _cluster.StartSiloAsync("zone1", "127.0.0.1", "--Health:Port", healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Health:ListenAddress", "127.0.0.1");
        // Un-zoned web frontend and executor in the silo's network: they are clients of zone 1's cluster.
        var web = await _cluster.StartWebFrontendAsync(null, "--Cluster:Zone", "zone1");
        Uri[] health = [new(web, "/healthz"), new($"http://127.0.0.1:{healthPort}/healthz")];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await _cluster.StartExecutorAppAsync(_jobRoot, null, "127.0.0.1", "--Cluster:Zone", "zone1");
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync("before the restart\n");
        var viaGateway = FingerClient.FetchAsync(silo.FingerPort, build.Id + "\n", Timeout);
        var viaWebsocket = WebsocketClient.StreamAsync(web, $"{{\"uuid\": \"{build.Id}\"}}", Timeout);
        await Eventually.UntilAsync(() => _cluster.Logs.Contains("Registered /components/fingergw/"), "the gateway registration", Timeout);

        await fixture.Server.StopAsync();
        var down = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            await build.AppendAsync($"while ZooKeeper is down {i}\n");
        }

        // Both health endpoints (web frontend, silo) say so while ZooKeeper is gone.
        foreach (var url in health)
        {
            await Eventually.UntilAsync(
                async () => await HealthAsync(http, url) is (HttpStatusCode.ServiceUnavailable, var zk) && zk != "connected", $"{url} to answer 503 while ZooKeeper is down", Timeout);
        }

        await fixture.Server.StartAsync(CancellationToken.None);
        var downFor = down.Elapsed;
        var up = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            await build.AppendAsync($"after the restart {i}\n");
        }

        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        Assert.Equal(expected, await viaGateway);
        Assert.Equal(Encoding.UTF8.GetString(expected), (await viaWebsocket).Text);

        // Health, the registry and new builds recover.
        foreach (var url in health)
        {
            await Eventually.UntilAsync(async () => (await HealthAsync(http, url)).Status == HttpStatusCode.OK, $"{url} to be healthy again", Timeout);
        }

        var healthy = up.Elapsed;
        await using var observer = await ZooKeeperFixture.ConnectAsync(_cluster.ZooKeeper!);
        await Eventually.UntilAsync(async () => (await observer.GetChildrenAsync(ZooKeeperPaths.FingerGateways)).Children.Count == 1, "the gateway registered again", Timeout);
        var second = await _cluster.StartBuildAsync(_jobRoot);
        await second.AppendAsync("new build\n");
        await second.FinishAsync();
        Assert.Equal(await File.ReadAllBytesAsync(second.LogPath), await FingerClient.FetchAsync(silo.FingerPort, second.Id + "\n", Timeout));
        var streamed = up.Elapsed;
        output.WriteLine($"ZooKeeper down for {downFor.TotalSeconds:0.0} s; /healthz healthy {healthy.TotalSeconds:0.0} s after it was back; new build streamed {streamed.TotalSeconds:0.0} s after");

        // README's recovery figures (typically 0.1 s and 0.2 s), with room for a loaded machine.
        Assert.True(healthy < TimeSpan.FromSeconds(5), $"/healthz healthy only {healthy.TotalSeconds:0.0} s after ZooKeeper was back (README: within 5 s)");
        Assert.True(streamed < TimeSpan.FromSeconds(10), $"a new build streamed only {streamed.TotalSeconds:0.0} s after ZooKeeper was back (README: within 10 s)");
    }

    private static async Task<(HttpStatusCode Status, string? ZooKeeper)> HealthAsync(HttpClient http, Uri url)
    {
        using var response = await http.GetAsync(url);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.GetProperty("zookeeper").GetString());
    }
}
