using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Unicode;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// Copies a build's log from finger upstreams into one websocket as text messages that never split a UTF-8 character,
/// skipping what the client already has (its resume offset), and keeps the position a resumed upstream starts from.
/// </summary>
internal sealed class LogPump(long offset) : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + 4);
    private int _carry;  // bytes of an unfinished UTF-8 character kept at the start of the buffer
    private long _seen;  // log bytes read, counting from the log's first byte

    /// <summary>Log bytes the client has (sent to it, or skipped as it had them already): where a resumed upstream starts.</summary>
    public long Position => _seen - _carry;

    /// <summary>Copies until the upstream ends: null at a clean end of stream, else the upstream's error. The socket's errors and cancellation are thrown.</summary>
    public async Task<Exception?> RunAsync(Stream upstream, WebSocket socket, IRelayProgress progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            int n;
            try
            {
                n = await upstream.ReadAsync(_buffer.AsMemory(_carry, ChunkSize), cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or SocketException && !cancellationToken.IsCancellationRequested)
            {
                return ex;
            }

            if (n == 0)
            {
                return null;
            }

            // Drop what the client already has (resume by offset).
            var start = 0;
            if (_seen < offset)
            {
                start = (int)Math.Min(n, offset - _seen);
            }

            _seen += n;
            if (start > 0)
            {
                Buffer.BlockCopy(_buffer, _carry + start, _buffer, _carry, n - start);
                n -= start;
            }

            var total = _carry + n;
            var complete = Utf8Boundary.CompleteLength(_buffer.AsSpan(0, total));
            if (complete > 0)
            {
                await SendTextAsync(socket, _buffer.AsMemory(0, complete), cancellationToken);
                progress.Relayed(complete);
            }

            _carry = total - complete;
            if (_carry > 0)
            {
                Buffer.BlockCopy(_buffer, complete, _buffer, 0, _carry);
            }
        }
    }

    /// <summary>A resumed upstream starts at <see cref="Position"/>: an unfinished character is read again from it.</summary>
    public void Resumed()
    {
        _seen = Position;
        _carry = 0;
    }

    /// <summary>At the build's end: an unfinished last character is sent as it is (replaced, byte for byte).</summary>
    public async Task FlushAsync(WebSocket socket, IRelayProgress progress, CancellationToken cancellationToken)
    {
        if (_carry > 0)
        {
            await SendTextAsync(socket, _buffer.AsMemory(0, _carry), cancellationToken);
            progress.Relayed(_carry);
            _carry = 0;
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    private static ValueTask SendTextAsync(WebSocket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (Utf8.IsValid(bytes.Span))
        {
            return socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }

        // Logs may hold bytes that are not UTF-8; a text frame must be valid, so replace them, byte for byte,
        // keeping the client's count of received bytes a valid resume offset.
        var repaired = Utf8Repair.ReplaceInvalid(bytes.Span);
        return socket.SendAsync(repaired.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }
}
