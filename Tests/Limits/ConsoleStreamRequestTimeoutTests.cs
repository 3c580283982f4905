using System.Diagnostics;
using System.Net.WebSockets;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Limits;

/// <summary>
/// A console-stream websocket that never sends its first message gets the close PROTOCOL.md section 6 promises (4000,
/// with a reason) at <c>WebFrontend:ConsoleStreamRequestTimeout</c>. It used to get a TCP reset: the handler cancelled
/// its pending receive at the timeout, and cancelling a websocket receive aborts the socket before any close is sent.
/// </summary>
public sealed class ConsoleStreamRequestTimeoutTests
{
    [Fact]
    public async Task ASilentWebsocketIsClosedWith4000AtTheRequestTimeout()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartSiloAsync();
        var web = await cluster.StartWebFrontendAsync(null, "--WebFrontend:ConsoleStreamRequestTimeout", "00:00:01");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new ClientWebSocket();
        // Timed from before the connect: the server's timer starts once it has accepted the upgrade, and on a loaded
        // machine the client may see its connect complete a good part of a second after that.
        var watch = Stopwatch.StartNew();
        await socket.ConnectAsync(new UriBuilder(web) { Scheme = "ws", Path = "/api/tenant/demo/console-stream" }.Uri, cts.Token);

        var result = await socket.ReceiveAsync(new byte[256], cts.Token);

        // Timers may fire a few milliseconds early.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.99), $"closed after {watch.Elapsed}, before the request timeout");
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(4000, (int)result.CloseStatus!.Value);
        Assert.Equal("No request received in time.", result.CloseStatusDescription);
        // The handshake completes: our reply is read by the server, which then closes the connection cleanly.
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }
}
