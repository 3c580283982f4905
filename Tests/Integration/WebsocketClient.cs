using System.Net.WebSockets;
using System.Text;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>The browser side of Zuul's console-stream protocol.</summary>
internal static class WebsocketClient
{
    /// <summary>Streams as text: each complete message decoded, then handed to <paramref name="onChunk"/>.</summary>
    public static async Task<(WebSocketCloseStatus? Status, string? Reason, string Text)> StreamAsync(
        Uri web, string firstMessage, TimeSpan timeout, Action<string>? onChunk = null, string tenant = "default", Action<ClientWebSocketOptions>? options = null)
    {
        var text = new StringBuilder();
        using var message = new MemoryStream();
        var (status, reason) = await StreamBytesAsync(web, firstMessage, timeout, (bytes, endOfMessage) =>
        {
            message.Write(bytes);
            if (endOfMessage)
            {
                var chunk = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                text.Append(chunk);
                onChunk?.Invoke(chunk);
            }
        }, tenant, options);
        return (status, reason, text.ToString());
    }

    /// <summary>
    /// Streams raw: every received frame's bytes as they arrive, then the close frame's status and reason. A broken
    /// connection throws <see cref="WebSocketException"/>.
    /// </summary>
    public static async Task<(WebSocketCloseStatus? Status, string? Reason)> StreamBytesAsync(
        Uri web, string firstMessage, TimeSpan timeout, OnBytes onBytes, string tenant = "default", Action<ClientWebSocketOptions>? options = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var socket = new ClientWebSocket();
        options?.Invoke(socket.Options);
        var uri = new UriBuilder(web) { Scheme = "ws", Path = $"/api/tenant/{tenant}/console-stream" }.Uri;
        await socket.ConnectAsync(uri, cts.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(firstMessage), WebSocketMessageType.Text, true, cts.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription);
            }

            onBytes(buffer.AsSpan(0, result.Count), result.EndOfMessage);
        }
    }

    public delegate void OnBytes(ReadOnlySpan<byte> bytes, bool endOfMessage);
}
