using System.Net.WebSockets;
using System.Text;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>The browser side of Zuul's console-stream protocol.</summary>
internal static class WebsocketClient
{
    public static async Task<(WebSocketCloseStatus? Status, string? Reason, string Text)> StreamAsync(
        Uri web, string firstMessage, TimeSpan timeout, Action<string>? onChunk = null, string tenant = "default", Action<ClientWebSocketOptions>? options = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var socket = new ClientWebSocket();
        options?.Invoke(socket.Options);
        var uri = new UriBuilder(web) { Scheme = "ws", Path = $"/api/tenant/{tenant}/console-stream" }.Uri;
        await socket.ConnectAsync(uri, cts.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(firstMessage), WebSocketMessageType.Text, true, cts.Token);
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription, text.ToString());
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                var chunk = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                text.Append(chunk);
                onChunk?.Invoke(chunk);
            }
        }
    }
}
