using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Hosting.Connections;
using Zuul.LiveLog.Tests.Executor;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Limits;

/// <summary>
/// Connections over a listener's limits are refused with the protocol's error (a finger line, a websocket close 1013),
/// counted in <c>zuul.streams.rejected</c> and logged once per client address per interval; other clients go on.
/// </summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FingerGatewayRefusesAClientOverItsLimitWithOneLineAndServesOthers()
    {
        var zone = "limits-" + Guid.NewGuid().ToString("N")[..8];
        using var rejections = new RejectionCounter(zone);
        await using var cluster = new ClusterHarness();
        var silo = await cluster.StartSiloAsync(zone, "127.0.0.1", "--FingerGateway:MaxConnectionsPerClient", "3", "--FingerGateway:RequestTimeout", "00:01:00");
        var limiter = silo.App.Services.GetRequiredService<ConnectionLimiter>();
        using var held = await SilentFlood.OpenAsync(silo.FingerPort, 3);
        await Eventually.UntilAsync(() => limiter.Open == 3, "the gateway to hold the three connections", Timeout);

        // A finger client sends its line at once; it still reads the refusal, not a reset.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(FingerErrors.TooManyConnectionsFromClient, await FingerClient.FetchTextAsync(silo.FingerPort, "0123456789abcdef0123456789abcdef\n", Timeout));
        }

        // Another address is not affected (loopback is 127.0.0.0/8).
        Assert.Equal(FingerErrors.InvalidBuildId("nothex"), await FetchFromAsync(IPAddress.Parse("127.0.0.2"), silo.FingerPort, "nothex\n"));
        Assert.Equal(3, rejections["too_many_connections_from_client"]);
        // One line for the three refusals: a flood cannot flood the log.
        Assert.Single(cluster.Logs.Lines, l => l.Contains("Refused a finger gateway connection from 127.0.0.1", StringComparison.Ordinal));

        held.Dispose();
        await Eventually.UntilAsync(() => limiter.Open == 0, "the held connections to be released", Timeout);
        Assert.Equal(FingerErrors.InvalidBuildId("nothex"), await FingerClient.FetchTextAsync(silo.FingerPort, "nothex\n", Timeout));
    }

    [Fact]
    public async Task ExecutorRefusesConnectionsOverItsListenerLimit()
    {
        var zone = "limits-" + Guid.NewGuid().ToString("N")[..8];
        using var rejections = new RejectionCounter(zone);
        await using var executor = await ExecutorHost.StartAsync(new Dictionary<string, string>
        {
            ["Zone"] = zone,
            ["Executor:MaxConnections"] = "2",
            ["Executor:RequestTimeout"] = "00:01:00",
        });
        var limiter = executor.App.Services.GetRequiredService<ConnectionLimiter>();
        using var held = await SilentFlood.OpenAsync(executor.Port, 2);
        await Eventually.UntilAsync(() => limiter.Open == 2, "the executor to hold the two connections", Timeout);

        // Refused whatever the address: the listener is full.
        Assert.Equal(FingerErrors.TooManyConnections, await FetchFromAsync(IPAddress.Parse("127.0.0.3"), executor.Port, string.Empty));
        Assert.Equal(1, rejections["too_many_connections"]);
        Assert.Contains(executor.Log.Problems, l => l.Contains("Refused a log streamer connection from 127.0.0.3", StringComparison.Ordinal));

        held.Dispose();
        await Eventually.UntilAsync(() => limiter.Open == 0, "the held connections to be released", Timeout);
        var build = executor.NewBuild("served\n");
        build.Finish();
        Assert.Equal("served\n", await FingerClient.FetchTextAsync(executor.Port, build.Id + "\n", Timeout));
    }

    [Fact]
    public async Task ConsoleStreamsOverTheLimitPerClientAreClosedWithTryAgainLater()
    {
        var zone = "limits-" + Guid.NewGuid().ToString("N")[..8];
        using var rejections = new RejectionCounter(zone);
        await using var cluster = new ClusterHarness();
        await cluster.StartSiloAsync();
        var web = await cluster.StartWebFrontendAsync(zone, "--WebFrontend:MaxConsoleStreamsPerClient", "1", "--WebFrontend:ConsoleStreamRequestTimeout", "00:01:00");
        var uri = new UriBuilder(web) { Scheme = "ws", Path = "/api/tenant/demo/console-stream" }.Uri;
        using var cts = new CancellationTokenSource(Timeout);

        // The first one holds the client's only place (it sends nothing, and may wait a minute).
        using var first = new ClientWebSocket();
        await first.ConnectAsync(uri, cts.Token);
        using var second = new ClientWebSocket();
        await second.ConnectAsync(uri, cts.Token);
        var close = await second.ReceiveAsync(new byte[256], cts.Token);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(1013, (int)close.CloseStatus!.Value);
        Assert.Contains("Too many console streams from your address", close.CloseStatusDescription, StringComparison.Ordinal);
        Assert.Equal(1, rejections["too_many_connections_from_client"]);

        // The held one is still served: a bad request gets its 4000, as always.
        await first.SendAsync(Encoding.UTF8.GetBytes("not json"), WebSocketMessageType.Text, true, cts.Token);
        var answer = await first.ReceiveAsync(new byte[256], cts.Token);
        Assert.Equal(4000, (int)answer.CloseStatus!.Value);
    }

    /// <summary>A finger exchange from a given local address; returns what the server sent before closing.</summary>
    private static async Task<string> FetchFromAsync(IPAddress local, int port, string request)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(local, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        if (request.Length > 0)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), cts.Token);
        }

        var text = new StringBuilder();
        var buffer = new byte[1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
