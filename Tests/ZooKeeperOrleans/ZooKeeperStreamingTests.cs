using System.Net;
using System.Text.Json;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>
/// The single-zone slice with <c>ZooKeeper:ConnectionString</c> set: every streaming test of the base, plus the
/// build's record in ZooKeeper grain storage and the health endpoints.
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class ZooKeeperStreamingTests(ZooKeeperFixture fixture) : SingleZoneStreamingTestsBase
{
    private readonly int _healthPort = TestPorts.Next();

    protected override async Task<ClusterHarness> NewClusterAsync() => new(await fixture.NewChrootAsync());

    protected override string[] SiloSettings =>
        ["--Health:Port", _healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Health:ListenAddress", "127.0.0.1"];

    [Fact]
    public async Task TheBuildsRecordIsInZooKeeperGrainStorage()
    {
        var build = await Cluster.StartBuildAsync(JobRoot);
        await using var zk = await ZooKeeperFixture.ConnectAsync(Cluster.ZooKeeper!);
        Assert.NotNull(await zk.ExistsAsync($"/grains/build/{build.Id}"));
    }

    [Fact]
    public async Task HealthEndpointsReportZooKeeperAndTheCluster()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var url in new[] { new Uri(Web, "/healthz"), new Uri($"http://127.0.0.1:{_healthPort}/healthz") })
        {
            using var response = await http.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
            using var json = JsonDocument.Parse(body);
            Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("connected", json.RootElement.GetProperty("zookeeper").GetString());
            Assert.Equal(1, json.RootElement.GetProperty("active_silos").GetInt32());
        }

        // The finger port is not an HTTP endpoint: a request there is a finger request line with an invalid build id,
        // answered with Zuul's error line, which no HTTP client takes for a response.
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{Silo.FingerPort}/healthz"));
        Assert.Null(error.StatusCode);
        Assert.Equal("Build ID GET /healthz HTTP/1.1 is not valid\n", await FingerClient.FetchTextAsync(Silo.FingerPort, "GET /healthz HTTP/1.1\r\n", Timeout));
    }
}
