using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Zuul.Tests.Infrastructure;
using Orleans.Zuul.Tests.Integration;

namespace Orleans.Zuul.Tests.ZooKeeperOrleans;

/// <summary>A silo, a web frontend and an executor with <c>ZooKeeper:ConnectionString</c> set, streaming a build end to end.</summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class ZooKeeperStreamingTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "zk-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly int _healthPort = FreePort.Next();
    private ClusterHarness _cluster = null!;
    private SiloHandle _silo = null!;
    private Uri _web = null!;
    private int _executorPort;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        _cluster = new ClusterHarness(await fixture.NewChrootAsync());
        _silo = await _cluster.StartSiloAsync(null, "127.0.0.1", "--Health:Port", _healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Health:ListenAddress", "127.0.0.1");
        _web = await _cluster.StartWebFrontendAsync();
        _executorPort = await _cluster.StartExecutorAsync(_jobRoot);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task GrowingLogArrivesThroughExecutorGatewayAndWebsocket()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var viaExecutor = FingerClient.FetchAsync(_executorPort, build.Id + "\n", Timeout);
        var viaGateway = FingerClient.FetchAsync(_silo.FingerPort, build.Id + "\r\n", Timeout);
        var viaWebsocket = WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{build.Id}\", \"logfile\": \"console.log\"}}", Timeout);
        for (var i = 0; i < 100; i++)
        {
            await build.AppendAsync($"line {i:D4} ünïcödé {new string('x', i % 50)}\n");
        }

        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        Assert.Equal(expected, await viaExecutor);
        Assert.Equal(expected, await viaGateway);
        var (status, _, text) = await viaWebsocket;
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal(Encoding.UTF8.GetString(expected), text);

        // The record is in ZooKeeper grain storage.
        await using var zk = await ZooKeeperFixture.ConnectAsync(_cluster.ZooKeeper!);
        Assert.NotNull(await zk.ExistsAsync($"/grains/build/{build.Id}"));
    }

    [Fact]
    public async Task HealthEndpointsReportZooKeeperAndTheCluster()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var url in new[] { new Uri(_web, "/healthz"), new Uri($"http://127.0.0.1:{_healthPort}/healthz") })
        {
            using var response = await http.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
            using var json = JsonDocument.Parse(body);
            Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("connected", json.RootElement.GetProperty("zookeeper").GetString());
            Assert.Equal(1, json.RootElement.GetProperty("active_silos").GetInt32());
        }

        // The finger port is not an HTTP endpoint.
        await Assert.ThrowsAnyAsync<Exception>(() => http.GetStringAsync($"http://127.0.0.1:{_silo.FingerPort}/healthz"));
    }
}
