using System.Net.Sockets;
using System.Text;

namespace Orleans.Zuul.Finger;

/// <summary>Opens a finger stream to an executor or a gateway and sends the request line.</summary>
public static class FingerUpstream
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and asks for <paramref name="buildId"/>.</summary>
    /// <exception cref="SocketException">The connection was refused or timed out.</exception>
    public static async Task<Stream> ConnectAsync(string host, int port, string buildId, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                cts.CancelAfter(connectTimeout);
                try
                {
                    await socket.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new SocketException((int)SocketError.TimedOut);
                }
            }

            var stream = new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(buildId + "\n"), cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
