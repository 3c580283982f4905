using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>Every JSON endpoint of the web frontend: answers, unknown ids (404) and bad input (400), always JSON.</summary>
public sealed class ApiTests(WebConsoleCluster cluster) : IClassFixture<WebConsoleCluster>, IDisposable
{
    private static readonly TimeSpan Timeout = WebConsoleCluster.Timeout;
    private readonly HttpClient _http = new() { BaseAddress = cluster.Web };
    private readonly HttpClient _admin = new() { BaseAddress = cluster.Admin };

    public void Dispose()
    {
        _http.Dispose();
        _admin.Dispose();
    }

    [Fact]
    public async Task BuildsListsRunningAndFinishedAndFiltersByState()
    {
        var running = await cluster.StartBuildAsync(WebConsoleCluster.Zone);
        var finished = await cluster.StartBuildAsync(null);
        await cluster.FinishBuildAsync(finished, "FAILURE");

        var all = await _http.GetFromJsonAsync<JsonElement>("/api/tenant/default/builds");
        Assert.Contains(all.EnumerateArray(), b => b.GetProperty("uuid").GetString() == running && b.GetProperty("state").GetString() == "running");
        var done = all.EnumerateArray().Single(b => b.GetProperty("uuid").GetString() == finished);
        Assert.Equal("finished", done.GetProperty("state").GetString());
        Assert.Equal("FAILURE", done.GetProperty("result").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("zone").ValueKind);

        var onlyRunning = await _http.GetFromJsonAsync<JsonElement>("/api/tenant/default/builds?state=running");
        Assert.All(onlyRunning.EnumerateArray(), b => Assert.Equal("running", b.GetProperty("state").GetString()));
        Assert.Contains(onlyRunning.EnumerateArray(), b => b.GetProperty("uuid").GetString() == running);
        var onlyFinished = await _http.GetFromJsonAsync<JsonElement>("/api/tenant/default/builds?state=finished");
        Assert.Contains(onlyFinished.EnumerateArray(), b => b.GetProperty("uuid").GetString() == finished);
        Assert.DoesNotContain(onlyFinished.EnumerateArray(), b => b.GetProperty("uuid").GetString() == running);
    }

    [Fact]
    public async Task BuildsRejectsAnUnknownStateFilter()
    {
        await AssertErrorAsync("/api/tenant/default/builds?state=sleeping", HttpStatusCode.BadRequest, "not one of");
    }

    [Fact]
    public async Task OneBuildAnswersFoundUnknownAndInvalid()
    {
        var id = await cluster.StartBuildAsync(WebConsoleCluster.Zone, "exec-one", 7901, "one-build");
        var build = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenant/default/build/{id}");
        Assert.Equal(id, build.GetProperty("uuid").GetString());
        Assert.Equal("default", build.GetProperty("tenant").GetString());
        Assert.Equal("exec-one", build.GetProperty("executor").GetString());
        Assert.Equal(7901, build.GetProperty("logPort").GetInt32());
        Assert.Equal("one-build", build.GetProperty("jobName").GetString());
        Assert.Equal(WebConsoleCluster.Zone, build.GetProperty("zone").GetString());

        // The public API names no executor to anyone but admins.
        var anonymous = await _http.GetFromJsonAsync<JsonElement>($"/api/tenant/default/build/{id}");
        Assert.Equal(JsonValueKind.Null, anonymous.GetProperty("executor").ValueKind);
        Assert.Equal(JsonValueKind.Null, anonymous.GetProperty("logPort").ValueKind);
        Assert.Equal("one-build", anonymous.GetProperty("jobName").GetString());
        Assert.DoesNotContain("exec-one", await _http.GetStringAsync("/api/tenant/default/builds"), StringComparison.Ordinal);

        await AssertErrorAsync($"/api/tenant/default/build/{Guid.NewGuid():N}", HttpStatusCode.NotFound, "not found");
        await AssertErrorAsync("/api/tenant/default/build/not-a-build", HttpStatusCode.BadRequest, "not a valid build id");
    }

    [Fact]
    public async Task LogOverHttpAnswersUnknownAndInvalidAsJson()
    {
        await AssertErrorAsync($"/api/tenant/default/build/{Guid.NewGuid():N}/log", HttpStatusCode.NotFound, "not found");
        await AssertErrorAsync("/api/tenant/default/build/not-a-build/log", HttpStatusCode.BadRequest, "not a valid build id");
        await AssertErrorAsync($"/api/tenant/default/build/{Guid.NewGuid():N}/log?offset=-1", HttpStatusCode.BadRequest, "not a byte count");
    }

    [Fact]
    public async Task EventsStreamStartedAndFinishedAsServerSentEvents()
    {
        await using var sse = await SseClient.ConnectAsync(cluster.Web, Timeout);
        Assert.Equal("text/event-stream", sse.Response.Content.Headers.ContentType?.MediaType);

        var id = await cluster.StartBuildAsync(WebConsoleCluster.Zone);
        var started = await sse.NextAsync(e => Uuid(e) == id, Timeout, $"build {id} started");
        Assert.Equal("started", started.GetProperty("kind").GetString());
        Assert.Equal("running", started.GetProperty("build").GetProperty("state").GetString());

        await cluster.FinishBuildAsync(id);
        var finished = await sse.NextAsync(e => Uuid(e) == id, Timeout, $"build {id} finished");
        Assert.Equal("finished", finished.GetProperty("kind").GetString());
        Assert.Equal("SUCCESS", finished.GetProperty("build").GetProperty("result").GetString());

        static string? Uuid(JsonElement e) => e.GetProperty("build").GetProperty("uuid").GetString();
    }

    [Fact]
    public async Task EventsReachEveryListener()
    {
        await using var first = await SseClient.ConnectAsync(cluster.Web, Timeout);
        await using var second = await SseClient.ConnectAsync(cluster.Web, Timeout);
        var id = await cluster.StartBuildAsync(null);
        await first.NextAsync(e => e.GetProperty("build").GetProperty("uuid").GetString() == id, Timeout, "first listener");
        await second.NextAsync(e => e.GetProperty("build").GetProperty("uuid").GetString() == id, Timeout, "second listener");
    }

    [Fact]
    public async Task AnOpenEventStreamDoesNotHoldUpShutdown()
    {
        var harness = new ClusterHarness();
        await harness.StartSiloAsync();
        var web = await harness.StartWebFrontendAsync();
        await using var sse = await SseClient.ConnectAsync(web, Timeout);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await harness.DisposeAsync();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {stopwatch.Elapsed.TotalSeconds:0.0} s with an event stream open");
    }

    [Fact]
    public async Task ZonesListGatewaysExecutorsRunningBuildsAndTheUnzoned()
    {
        var zoned = await cluster.StartBuildAsync(WebConsoleCluster.Zone, "exec-zoned", 7910);
        var unzoned = await cluster.StartBuildAsync(null, "exec-free", 7911);
        var zones = await _admin.GetFromJsonAsync<JsonElement>("/api/zones");

        var a = zones.EnumerateArray().Single(z => z.GetProperty("zone").GetString() == WebConsoleCluster.Zone);
        var gateway = Assert.Single(a.GetProperty("gateways").EnumerateArray());
        Assert.Equal(cluster.Silo.FingerPort, gateway.GetProperty("port").GetInt32());
        Assert.Equal("running", gateway.GetProperty("state").GetString());
        Assert.Contains(a.GetProperty("executors").EnumerateArray(), e => e.GetProperty("hostname").GetString() == "exec-zoned" && e.GetProperty("runningBuilds").GetInt32() >= 1);
        Assert.Contains(a.GetProperty("runningBuilds").EnumerateArray(), b => b.GetProperty("uuid").GetString() == zoned);

        var free = zones.EnumerateArray().Single(z => z.GetProperty("zone").ValueKind == JsonValueKind.Null);
        Assert.Empty(free.GetProperty("gateways").EnumerateArray());
        Assert.Contains(free.GetProperty("executors").EnumerateArray(), e => e.GetProperty("hostname").GetString() == "exec-free");
        Assert.Contains(free.GetProperty("runningBuilds").EnumerateArray(), b => b.GetProperty("uuid").GetString() == unzoned);
        Assert.DoesNotContain(free.GetProperty("executors").EnumerateArray(), e => e.GetProperty("hostname").GetString() == "exec-zoned");
    }

    [Fact]
    public async Task ZoneSeenOnlyThroughABuildIsListed()
    {
        await cluster.StartBuildAsync("zone-b", "exec-b", 7920);
        var zone = await _admin.GetFromJsonAsync<JsonElement>("/api/zones/zone-b");
        Assert.Equal("zone-b", zone.GetProperty("zone").GetString());
        Assert.Empty(zone.GetProperty("gateways").EnumerateArray());
        Assert.Contains(zone.GetProperty("executors").EnumerateArray(), e => e.GetProperty("hostname").GetString() == "exec-b");
    }

    [Fact]
    public async Task OneZoneAnswersFoundUnknownAndInvalid()
    {
        var zone = await _admin.GetFromJsonAsync<JsonElement>($"/api/zones/{WebConsoleCluster.Zone}");
        Assert.Single(zone.GetProperty("gateways").EnumerateArray());
        await AssertErrorAsync(_admin, "/api/zones/no-such-zone", HttpStatusCode.NotFound, "not found");
        await AssertErrorAsync(_admin, "/api/zones/bad%20zone%21", HttpStatusCode.BadRequest, "not a valid zone name");
        await AssertErrorAsync(_admin, "/api/zones/" + new string('z', 64), HttpStatusCode.BadRequest, "not a valid zone name");
    }

    [Fact]
    public async Task GatewaysListsTheRegisteredGatewayAndFiltersByZone()
    {
        var all = await _admin.GetFromJsonAsync<JsonElement>("/api/gateways");
        var gateway = Assert.Single(all.EnumerateArray());
        Assert.Equal(WebConsoleCluster.Zone, gateway.GetProperty("zone").GetString());
        Assert.Equal("127.0.0.1", gateway.GetProperty("hostname").GetString());
        Assert.Equal(cluster.Silo.FingerPort, gateway.GetProperty("port").GetInt32());
        Assert.False(gateway.GetProperty("tls").GetBoolean());

        var inZone = await _admin.GetFromJsonAsync<JsonElement>($"/api/gateways?zone={WebConsoleCluster.Zone}");
        Assert.Single(inZone.EnumerateArray());
        await AssertErrorAsync(_admin, "/api/gateways?zone=no-such-zone", HttpStatusCode.NotFound, "not found");
        await AssertErrorAsync(_admin, "/api/gateways?zone=%2F%2F", HttpStatusCode.BadRequest, "not a valid zone name");
    }

    [Fact]
    public async Task DashboardIsServedUnderItsPathOnTheAdminListenerOnly()
    {
        var response = await _admin.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);

        // On the public listener: nothing of it, not even with an admin's token (its own requests could not carry one).
        foreach (var path in new[] { "/dashboard/", "/dashboard/Trace", "/dashboard/DashboardCounters", "/dashboard/ClusterStats" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task ZonesAndGatewaysNeedAnAdminOnThePublicListener()
    {
        foreach (var path in new[] { "/api/zones", $"/api/zones/{WebConsoleCluster.Zone}", "/api/gateways" })
        {
            var anonymous = await _http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.DoesNotContain("127.0.0.1", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using var reader = new HttpRequestMessage(HttpMethod.Get, path);
            reader.Headers.Authorization = new("Bearer", TestTokens.Reader());
            Assert.Equal(HttpStatusCode.Forbidden, (await _http.SendAsync(reader)).StatusCode);

            using var admin = new HttpRequestMessage(HttpMethod.Get, path);
            admin.Headers.Authorization = new("Bearer", TestTokens.Admin());
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(admin)).StatusCode);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/t/default/builds")]
    [InlineData("/zones.html")]
    [InlineData("/t/default/stream/0123456789abcdef0123456789abcdef?logfile=console.log")]
    public async Task PagesAreServed(string path)
    {
        var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<nav", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task AssertErrorAsync(string path, HttpStatusCode status, string fragment) => AssertErrorAsync(_http, path, status, fragment);

    private static async Task AssertErrorAsync(HttpClient client, string path, HttpStatusCode status, string fragment)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }
}
