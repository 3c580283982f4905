using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Orleans.Zuul.Finger;

/// <summary>Sending a whole buffer on a socket the relay writes to directly.</summary>
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
}
