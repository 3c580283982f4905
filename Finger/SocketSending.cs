using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Zuul.LiveLog.Finger;

/// <summary>Sending on a socket the relay writes to directly.</summary>
internal static class SocketSending
{
    /// <summary>Sends every byte of <paramref name="buffer"/>; pooled, so awaiting a full socket allocates nothing.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask SendAllAsync(this Socket socket, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        for (var sent = 0; sent < buffer.Length;)
        {
            sent += await socket.SendAsync(buffer[sent..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One piece from <paramref name="upstream"/> to <paramref name="client"/> through a pooled buffer: bytes copied,
    /// 0 at the upstream's end, -1 when the client is gone. Upstream failures are thrown.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<int> CopyPieceAsync(this Socket client, Stream upstream, int size, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var n = await upstream.ReadAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
            try
            {
                await client.SendAllAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return -1;
            }

            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
