using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>
/// Tenants and read access with HS256 tokens made here: the protected tenant's API answers 401/403 and its websocket
/// closes 4001/4003 before any log byte; a build exists only in its own tenant; streams check the page's Origin.
/// </summary>
public sealed class TenantAuthTests(WebConsoleCluster cluster) : IClassFixture<WebConsoleCluster>, IDisposable
{
    private const string Protected = WebConsoleCluster.ProtectedTenant;
    private static readonly TimeSpan Timeout = WebConsoleCluster.Timeout;
    private readonly HttpClient _http = new() { BaseAddress = cluster.Web };

    public void Dispose() => _http.Dispose();

    /// <summary>Tokens the protected tenant must refuse, each with what the refusal says.</summary>
    public static TheoryData<string, string> BadTokens() => new()
    {
        { "expired", "expired" },
        { "wrong-audience", "audience" },
        { "wrong-secret", "sign" },
        { "unknown-issuer", "configured issuer" },
        { "not-a-jwt", "configured issuer" },
    };

    private static string Bad(string kind) => kind switch
    {
        "expired" => TestTokens.Make(new() { ["groups"] = new[] { WebConsoleCluster.ReaderGroup } }, lifetime: TimeSpan.FromMinutes(1), issuedAgo: TimeSpan.FromHours(1)),
        "wrong-audience" => TestTokens.Make(new() { ["groups"] = new[] { WebConsoleCluster.ReaderGroup } }, audience: "another.zuul"),
        "wrong-secret" => TestTokens.Make(new() { ["groups"] = new[] { WebConsoleCluster.ReaderGroup } }, key: TestTokens.Hs256("another-secret-that-is-also-32-bytes-long")),
        "unknown-issuer" => TestTokens.Make(new() { ["groups"] = new[] { WebConsoleCluster.ReaderGroup } }, issuer: "someone_else"),
        _ => "not.a.jwt",
    };

    [Fact]
    public async Task ProtectedTenantApiAnswers401WithoutAToken403WithoutTheGroupAnd200ToReadersAndAdmins()
    {
        var id = await cluster.StartBuildAsync(null, tenant: Protected);
        foreach (var path in new[] { $"/api/tenant/{Protected}/builds", $"/api/tenant/{Protected}/build/{id}" })
        {
            var anonymous = await _http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            Assert.DoesNotContain(id, await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(path, TestTokens.Make(new() { ["groups"] = new[] { "others" } }))).StatusCode);
            var reader = await GetAsync(path, TestTokens.Reader());
            Assert.Equal(HttpStatusCode.OK, reader.StatusCode);
            Assert.Contains(id, await reader.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(path, TestTokens.Admin())).StatusCode);
        }

        // The event stream too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync($"/api/tenant/{Protected}/builds/events", null)).StatusCode);
        await using var events = await SseClient.ConnectAsync(cluster.Web, Timeout, Protected, TestTokens.Reader());

        // Other tenants stay open to anonymous readers; the tenant list names the protected one without its builds.
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/tenant/default/builds")).StatusCode);
        var tenants = await _http.GetFromJsonAsync<JsonElement>("/api/tenants");
        var listed = tenants.EnumerateArray().Single(t => t.GetProperty("name").GetString() == Protected);
        Assert.True(listed.GetProperty("authRequired").GetBoolean());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("listedBuilds").ValueKind);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task ProtectedTenantApiRefusesABadToken(string kind, string said)
    {
        var response = await GetAsync($"/api/tenant/{Protected}/builds", Bad(kind));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains(said, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProtectedTenantWebsocketClosesBeforeAnyLogByteUnlessTheReaderMayRead()
    {
        var jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "auth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(jobRoot);
        await cluster.Harness.StartExecutorAppAsync(jobRoot, WebConsoleCluster.Zone, "127.0.0.1");
        var build = await cluster.Harness.StartBuildAsync(jobRoot, "protected-job", tenant: Protected);
        build.Append("secret line\n");

        var none = await WebsocketClient.StreamAsync(cluster.Web, Request(build.Id, null), Timeout, tenant: Protected);
        Assert.Equal((WebSocketCloseStatus)4001, none.Status);
        Assert.Contains("requires authentication", none.Reason, StringComparison.Ordinal);
        Assert.Empty(none.Text);

        foreach (var (kind, said) in BadTokens().Select(r => ((string)r[0], (string)r[1])))
        {
            var bad = await WebsocketClient.StreamAsync(cluster.Web, Request(build.Id, Bad(kind)), Timeout, tenant: Protected);
            Assert.Equal((WebSocketCloseStatus)4001, bad.Status);
            Assert.Contains(said, bad.Reason, StringComparison.Ordinal);
            Assert.Empty(bad.Text);
        }

        var other = await WebsocketClient.StreamAsync(cluster.Web, Request(build.Id, TestTokens.Make(new() { ["groups"] = new[] { "others" } })), Timeout, tenant: Protected);
        Assert.Equal((WebSocketCloseStatus)4003, other.Status);
        Assert.Empty(other.Text);

        // A bad token in the Authorization header (a non-browser client) is refused before the upgrade.
        using (var socket = new ClientWebSocket())
        {
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.SetRequestHeader("Authorization", "Bearer " + Bad("expired"));
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(WsUri(Protected), CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        }

        var first = new TaskCompletionSource();
        var reading = WebsocketClient.StreamAsync(cluster.Web, Request(build.Id, TestTokens.Reader()), Timeout, _ => first.TrySetResult(), tenant: Protected);
        await first.Task.WaitAsync(Timeout);
        await build.FinishAsync();
        var read = await reading;
        Assert.Equal(WebSocketCloseStatus.NormalClosure, read.Status);
        Assert.Equal("secret line\n", read.Text);

        // A good token in the header works as well.
        var header = await WebsocketClient.StreamAsync(cluster.Web, Request(build.Id, null), Timeout, tenant: Protected,
            options: o => o.SetRequestHeader("Authorization", "Bearer " + TestTokens.Reader()));
        Assert.Equal(("secret line\n", WebSocketCloseStatus.NormalClosure), (header.Text, header.Status));
    }

    [Fact]
    public async Task ProtectedTenantLogOverHttpAnswers401And403BeforeAnyLogByte()
    {
        var jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "auth-http-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(jobRoot);
        await cluster.Harness.StartExecutorAppAsync(jobRoot, WebConsoleCluster.Zone, "127.0.0.1");
        var build = await cluster.Harness.StartBuildAsync(jobRoot, "protected-http-job", tenant: Protected);
        build.Append("secret line\n");
        var path = $"/api/tenant/{Protected}/build/{build.Id}/log";

        var anonymous = await GetAsync(path, null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.DoesNotContain("secret line", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var expired = await GetAsync(path, Bad("expired"));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("invalid_token", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        var other = await GetAsync(path, TestTokens.Make(new() { ["groups"] = new[] { "others" } }));
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.DoesNotContain("secret line", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A reader gets the log; the build runs on, so the response ends once it has caught up.
        var reader = await GetAsync(path, TestTokens.Reader());
        Assert.Equal(HttpStatusCode.OK, reader.StatusCode);
        Assert.Equal("secret line\n", await reader.Content.ReadAsStringAsync());
        await build.FinishAsync();
    }

    [Fact]
    public async Task ABuildExistsOnlyInItsOwnTenant()
    {
        await using var eventsOfB = await SseClient.ConnectAsync(cluster.Web, Timeout, "tenant-b");
        await using var eventsOfA = await SseClient.ConnectAsync(cluster.Web, Timeout, "tenant-a");
        var a = await cluster.StartBuildAsync(WebConsoleCluster.Zone, tenant: "tenant-a");
        await eventsOfA.NextAsync(e => Uuid(e) == a, Timeout, $"build {a} started, in tenant-a's events");
        await cluster.FinishBuildAsync(a);
        await eventsOfA.NextAsync(e => Uuid(e) == a && e.GetProperty("kind").GetString() == "finished", Timeout, $"build {a} finished, in tenant-a's events");

        var unknown = Guid.NewGuid().ToString("N");
        var underB = await _http.GetAsync($"/api/tenant/tenant-b/build/{a}");
        Assert.Equal(HttpStatusCode.NotFound, underB.StatusCode);
        var unknownUnderB = await _http.GetAsync($"/api/tenant/tenant-b/build/{unknown}");
        Assert.Equal(
            (await unknownUnderB.Content.ReadAsStringAsync()).Replace(unknown, "<id>", StringComparison.Ordinal),
            (await underB.Content.ReadAsStringAsync()).Replace(a, "<id>", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"/api/tenant/tenant-a/build/{a}")).StatusCode);

        // The log over HTTP: another tenant's build is not found, word for word as an unknown one.
        var logUnderB = await _http.GetAsync($"/api/tenant/tenant-b/build/{a}/log");
        Assert.Equal(HttpStatusCode.NotFound, logUnderB.StatusCode);
        var unknownLogUnderB = await _http.GetAsync($"/api/tenant/tenant-b/build/{unknown}/log");
        Assert.Equal(
            (await unknownLogUnderB.Content.ReadAsStringAsync()).Replace(unknown, "<id>", StringComparison.Ordinal),
            (await logUnderB.Content.ReadAsStringAsync()).Replace(a, "<id>", StringComparison.Ordinal));
        Assert.DoesNotContain(a, await _http.GetStringAsync("/api/tenant/tenant-b/builds"), StringComparison.Ordinal);
        Assert.Contains(a, await _http.GetStringAsync("/api/tenant/tenant-a/builds"), StringComparison.Ordinal);

        var socket = await WebsocketClient.StreamAsync(cluster.Web, Request(a, null), Timeout, tenant: "tenant-b");
        Assert.Equal((WebSocketCloseStatus)4011, socket.Status);
        Assert.Equal($"Build ID {a} not found", socket.Reason);
        Assert.Empty(socket.Text);

        // Every event of tenant-a's build was handed out before this one: tenant-b's stream had none of them.
        var marker = await cluster.StartBuildAsync(WebConsoleCluster.Zone, tenant: "tenant-b");
        await eventsOfB.NextAsync(e => Uuid(e) == marker, Timeout, $"build {marker} in tenant-b's events");
        Assert.DoesNotContain(eventsOfB.Seen, data => data.Contains(a, StringComparison.Ordinal));
        Assert.All(eventsOfB.Seen, data => Assert.Contains("\"tenant\":\"tenant-b\"", data, StringComparison.Ordinal));
        await cluster.FinishBuildAsync(marker);
    }

    [Fact]
    public async Task StreamsFromAnotherOriginAreRefusedAndSameOriginWorks()
    {
        var id = await cluster.StartBuildAsync(WebConsoleCluster.Zone, tenant: "origin-t");
        using (var socket = new ClientWebSocket())
        {
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.SetRequestHeader("Origin", "http://evil.example");
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(WsUri("origin-t"), CancellationToken.None));
            Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        }

        foreach (var path in new[] { "/api/tenant/origin-t/builds/events", $"/api/tenant/origin-t/build/{id}/log" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Origin", "http://evil.example");
            Assert.Equal(HttpStatusCode.Forbidden, (await _http.SendAsync(request)).StatusCode);
        }

        // Same origin: upgraded and past every check; what follows depends on the made-up executor address (a web
        // frontend of its own that does not spend a resume window on that address, so the close comes at once).
        var web = new Uri((await cluster.Harness.StartWebFrontendAppAsync(null,
            [.. WebConsoleCluster.AuthArgs(), "--FingerClient:ResumeWindow", "00:00:00"])).Urls.First());
        var own = await WebsocketClient.StreamAsync(web, Request(id, null), Timeout, tenant: "origin-t",
            options: o => o.SetRequestHeader("Origin", web.GetLeftPart(UriPartial.Authority)));
        Assert.NotNull(own.Status);
        Assert.DoesNotContain("not found", own.Reason ?? string.Empty, StringComparison.Ordinal);
        await cluster.FinishBuildAsync(id);
    }

    [Fact]
    public async Task AllowListedOriginsPassAndStreamOpensAreLimitedPerClientAddress()
    {
        var web = new Uri((await cluster.Harness.StartWebFrontendAppAsync(null,
            "--Web:AllowedOrigins:0", "https://zuul.example.com", "--Web:StreamOpenLimit", "2", "--Web:StreamOpenWindow", "01:00:00")).Urls.First());
        using var http = new HttpClient { BaseAddress = web };
        for (var i = 0; i < 2; i++)
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Origin", "https://zuul.example.com");
            await socket.ConnectAsync(new UriBuilder(web) { Scheme = "ws", Path = "/api/tenant/default/console-stream" }.Uri, CancellationToken.None);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        var limited = await http.GetAsync("/api/tenant/default/builds/events");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        // The rest of the API is not limited.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/tenant/default/builds")).StatusCode);
    }

    private Uri WsUri(string tenant) => new UriBuilder(cluster.Web) { Scheme = "ws", Path = $"/api/tenant/{tenant}/console-stream" }.Uri;

    private static string Request(string id, string? token) =>
        token is null ? JsonSerializer.Serialize(new { uuid = id }) : JsonSerializer.Serialize(new { uuid = id, token });

    private static string? Uuid(JsonElement e) => e.GetProperty("build").GetProperty("uuid").GetString();

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
