using System.Net.Http.Json;
using System.Text.Json;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.Tests.ZooKeeperOrleans;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>
/// With ZooKeeper the web frontend of zone 1 (a client of zone 1's cluster only) lists zone 2's builds and streams
/// their events, read from the build records in ZooKeeper; the zones view shows zone 2 from the gateway registry.
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class ZooKeeperBuildListTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "zk-list-" + Guid.NewGuid().ToString("N")[..8]);
    private ClusterHarness _cluster = null!;
    private Uri _web = null!;
    private Uri _admin = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        _cluster = new ClusterHarness(await fixture.NewChrootAsync());
        await _cluster.StartSiloAsync("zone1");
        await _cluster.StartSiloAsync("zone2");
        await _cluster.StartExecutorAsync(_jobRoot, "zone2");
        // The zones view is an admin view: served on the admin listener only.
        var web = await _cluster.StartWebFrontendAppAsync("zone1", "--Web:AdminUrls", "http://127.0.0.1:0");
        _web = new Uri(web.Urls.First());
        _admin = new Uri(web.Urls.Skip(1).First());
        await _cluster.WaitForGatewaysAsync("zone2", 1);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task AnotherZonesBuildIsListedAndItsEventsArrive()
    {
        await using var events = await SseClient.ConnectAsync(_web, Timeout);
        var build = new TestBuild(_jobRoot, "zone2-job");
        var started = await events.NextAsync(e => e.GetProperty("build").GetProperty("uuid").GetString() == build.Id, Timeout, $"the started event of {build.Id}");
        Assert.Equal("started", started.GetProperty("kind").GetString());
        Assert.Equal("zone2", started.GetProperty("build").GetProperty("zone").GetString());
        Assert.Equal("running", await StateAsync(build.Id));

        await build.FinishAsync();
        var finished = await events.NextAsync(
            e => e.GetProperty("build").GetProperty("uuid").GetString() == build.Id && e.GetProperty("kind").GetString() == "finished",
            Timeout, $"the finished event of {build.Id}");
        Assert.Equal("finished", finished.GetProperty("build").GetProperty("state").GetString());
        Assert.Equal("finished", await StateAsync(build.Id));

        using var http = new HttpClient();
        var zones = await http.GetFromJsonAsync<JsonElement>(new Uri(_admin, "api/zones"));
        var zone2 = zones.EnumerateArray().Single(z => z.GetProperty("zone").GetString() == "zone2");
        Assert.Single(zone2.GetProperty("gateways").EnumerateArray());
        Assert.Contains(zones.EnumerateArray(), z => z.GetProperty("zone").GetString() == "zone1");
    }

    private async Task<string?> StateAsync(string uuid)
    {
        using var http = new HttpClient();
        var builds = await http.GetFromJsonAsync<JsonElement>(new Uri(_web, $"api/tenant/{BuildRecords.DefaultTenant}/builds"));
        return builds.EnumerateArray().Where(b => b.GetProperty("uuid").GetString() == uuid).Select(b => b.GetProperty("state").GetString()).FirstOrDefault();
    }
}
