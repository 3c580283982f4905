using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.Hosting.Connections;

/// <summary>
/// Kestrel connection middleware in front of a finger listener (gateway, executor log streamer): keepalive on the
/// accepted socket, then a place under the listener's <see cref="ConnectionLimiter"/> for as long as the connection
/// lasts. A refused plaintext client gets the protocol's one error line (PROTOCOL.md section 1); a TLS listener's
/// client gets a close, since no plaintext line is readable to it before its handshake.
/// </summary>
public sealed class RelayListenerMiddleware(ConnectionLimiter limiter, TcpKeepAliveOptions keepAlive, bool replyInPlaintext)
{
    /// <summary>How long a refused client may take to read its line and close before the connection is dropped.</summary>
    public static readonly TimeSpan RefusalLinger = TimeSpan.FromSeconds(2);

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(next);
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            TcpKeepAlive.Apply(socket, keepAlive);
        }

        using var lease = limiter.TryAcquire((connection.RemoteEndPoint as IPEndPoint)?.Address, out var refusedBy);
        if (lease is null)
        {
            await RefuseAsync(connection, refusedBy == ConnectionLimit.Listener ? FingerErrors.TooManyConnections : FingerErrors.TooManyConnectionsFromClient);
            return;
        }

        await next(connection);
    }

    private async Task RefuseAsync(ConnectionContext connection, string line)
    {
        if (!replyInPlaintext)
        {
            connection.Abort(new ConnectionAbortedException(line.TrimEnd()));
            return;
        }

        using var linger = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        linger.CancelAfter(RefusalLinger);
        try
        {
            var bytes = Encoding.ASCII.GetBytes(line);
            if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
            {
                await connection.Transport.Output.WriteAsync(bytes, linger.Token);
                return;
            }

            // Straight to the socket (nothing else writes to it yet), then a lingering close: our end first (FIN after
            // the line), then read what the client sends (its request line) until it closes. Closing on unread bytes
            // would send a reset, which may destroy the line before the client reads it.
            await socket.SendAsync(bytes, System.Net.Sockets.SocketFlags.None, linger.Token);
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            while (true)
            {
                var read = await connection.Transport.Input.ReadAsync(linger.Token);
                connection.Transport.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Gone, or too slow to leave: the connection is dropped either way.
        }
    }
}
