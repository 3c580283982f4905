using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>Bad input at the gateway and the web frontend: one clear error, nothing else breaks.</summary>
public sealed class GatewayErrorTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly ClusterHarness _cluster = new();
    private SiloHandle _silo = null!;
    private Uri _web = null!;

    public async Task InitializeAsync()
    {
        _silo = await _cluster.StartSiloAsync(null, "127.0.0.1", "--FingerGateway:RequestTimeout", "00:00:02");
        _web = await _cluster.StartWebFrontendAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task UnknownBuildGetsZuulsNotFoundLine()
    {
        var text = await FingerClient.FetchTextAsync(_silo.FingerPort, "0123456789abcdef0123456789abcdef\r\n", Timeout);
        Assert.Equal("Build ID 0123456789abcdef0123456789abcdef not found\n", text);
    }

    [Theory]
    [InlineData("../../etc/passwd\n", "Build ID ../../etc/passwd is not valid\n")]
    [InlineData("/W nothex\n", "Build ID nothex is not valid\n")]
    public async Task InvalidIdGetsZuulsNotValidLine(string request, string expected)
    {
        Assert.Equal(expected, await FingerClient.FetchTextAsync(_silo.FingerPort, request, Timeout));
    }

    [Fact]
    public async Task OversizedRequestLineIsRefused()
    {
        var text = await FingerClient.FetchTextAsync(_silo.FingerPort, new string('a', 5000) + "\n", Timeout);
        Assert.Equal("Request line too long\n", text);
    }

    [Fact]
    public async Task SilentClientIsClosedAfterTheRequestTimeout()
    {
        // This class's silo has a 2 s FingerGateway:RequestTimeout.
        var text = await FingerClient.FetchTextAsync(_silo.FingerPort, string.Empty, Timeout);
        Assert.Equal("Timed out waiting for the request line\n", text);
    }

    [Fact]
    public async Task ApiAnswersUnknownAndInvalidIdsWithJsonErrors()
    {
        using var http = new HttpClient { BaseAddress = _web };
        var missing = await http.GetAsync("/api/tenant/default/build/0123456789abcdef0123456789abcdef");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("not found", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);

        var invalid = await http.GetAsync("/api/tenant/default/build/..%2F..%2Fetc");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("not a valid build id", (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);

        var list = await http.GetFromJsonAsync<JsonElement>("/api/tenant/default/builds");
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
    }

    [Theory]
    [InlineData("not json", 4000)]
    [InlineData("{\"logfile\": \"console.log\"}", 4000)]
    [InlineData("{\"uuid\": \"zz\"}", 4000)]
    [InlineData("{\"uuid\": \"0123456789abcdef0123456789abcdef\"}", 4011)]
    public async Task WebsocketBadRequestsCloseWithACode(string message, int code)
    {
        var (status, reason, _) = await WebsocketClient.StreamAsync(_web, message, Timeout);
        Assert.Equal(code, (int)status!);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public async Task ADrainingGatewayAnswersThatItIsShuttingDown()
    {
        // Checked from an ApplicationStopping callback registered before the silo starts: callbacks run newest first,
        // so it runs after the gateway's own (registered once it listens), when the gateway drains and still listens.
        string? reply = null;
        var port = 0;
        _cluster.BeforeSiloStart = app => app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
            reply = FingerClient.FetchTextAsync(port, "0123456789abcdef0123456789abcdef\n", Timeout).GetAwaiter().GetResult());
        var draining = await _cluster.StartSiloAsync("zone-d");
        _cluster.BeforeSiloStart = null;
        port = draining.FingerPort;
        await _cluster.WaitForGatewaysAsync("zone-d", 1); // registered: its stopping callback is in place

        await _cluster.StopSiloAsync(draining.App);
        Assert.Equal("Finger gateway is shutting down, try again\n", reply);
    }

    [Fact]
    public async Task AWebsocketStreamThatCannotAskTheClusterClosesWithInternalError()
    {
        // The only silo leaves: the web frontend cannot resolve the build at all, which is not the build's fault.
        await _cluster.StopSiloAsync(_cluster.PrimarySilo!);
        var (status, reason, text) = await WebsocketClient.StreamAsync(_web, "{\"uuid\": \"0123456789abcdef0123456789abcdef\"}", Timeout);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        Assert.Equal("Internal error while resolving build ID 0123456789abcdef0123456789abcdef", reason);
        Assert.Empty(text);
    }

    [Fact]
    public async Task PlainHttpOnTheStreamEndpointIsABadRequest()
    {
        using var http = new HttpClient { BaseAddress = _web };
        var response = await http.GetAsync("/api/tenant/default/console-stream");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
