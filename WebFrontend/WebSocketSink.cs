using System.Buffers;
using System.Net.WebSockets;
using System.Text.Unicode;
using Zuul.LiveLog.Finger.Sharing;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// A console-stream websocket on a shared stream: text messages of up to 64 KiB read from the build's window, never
/// ending inside a character (the rest waits for the bytes that finish it, unless the log ends there).
/// </summary>
internal sealed class WebSocketSink(WebSocket socket) : IStreamSink
{
    private const int MessageSize = 64 * 1024;

    public async ValueTask<SinkProgress> SendAsync(LogWindow window, long from, long to, bool final, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MessageSize);
        try
        {
            long taken = 0;
            while (from < to)
            {
                var n = window.Read(from, buffer.AsSpan(0, (int)Math.Min(MessageSize, to - from)));
                if (n < 0)
                {
                    return new(taken, SinkStatus.Dropped);
                }

                var complete = final && from + n == to ? n : Utf8Boundary.CompleteLength(buffer.AsSpan(0, n));
                if (complete == 0)
                {
                    return new(taken, SinkStatus.NeedMore);
                }

                await SendTextAsync(socket, buffer.AsMemory(0, complete), cancellationToken).ConfigureAwait(false);
                taken += complete;
                from += complete;
            }

            return new(taken, SinkStatus.Taken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask<SinkProgress> SendAsync(ReadOnlyMemory<byte> bytes, bool final, CancellationToken cancellationToken)
    {
        var complete = final ? bytes.Length : Utf8Boundary.CompleteLength(bytes.Span);
        if (complete > 0)
        {
            await SendTextAsync(socket, bytes[..complete], cancellationToken).ConfigureAwait(false);
        }

        return new(complete, complete < bytes.Length ? SinkStatus.NeedMore : SinkStatus.Taken);
    }

    /// <summary>Sends log bytes as one text message (the websocket's rule for log bytes, unshared streams' too).</summary>
    public static ValueTask SendTextAsync(WebSocket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (Utf8.IsValid(bytes.Span))
        {
            return socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }

        // Logs may hold bytes that are not UTF-8; a text frame must be valid, so replace them, byte for byte,
        // keeping the client's count of received bytes a valid resume offset.
        return socket.SendAsync(Utf8Repair.ReplaceInvalid(bytes.Span).AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }
}
