using System.Net;
using System.Net.Sockets;
using System.Text;
using Zuul.LiveLog.Finger.Tls;

namespace Zuul.LiveLog.Finger;

/// <summary>Opens finger streams to executors and gateways: TCP, TLS when the target asks for it, then the request line.</summary>
public sealed class FingerConnector(FingerConnectorOptions options)
{
    private readonly TlsClientAuthenticator _tls = new(options.Tls);
    private readonly IPAddress? _localAddress = string.IsNullOrEmpty(options.LocalAddress) ? null : IPAddress.Parse(options.LocalAddress);

    public FingerConnectorOptions Options => options;

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and asks for <paramref name="buildId"/>.</summary>
    /// <exception cref="SocketException">The connection was refused or timed out.</exception>
    /// <exception cref="FingerTlsException">The TLS handshake failed.</exception>
    public async Task<Stream> ConnectAsync(string host, int port, bool tls, string buildId, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            TcpKeepAlive.Apply(socket, options.KeepAlive);
            if (_localAddress is not null)
            {
                socket.Bind(new IPEndPoint(_localAddress, 0));
            }

            using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                cts.CancelAfter(options.ConnectTimeout);
                try
                {
                    // The host map lets a name (kept for SNI and certificate checks) reach another address.
                    var address = options.Hosts.TryGetValue(host, out var mapped) ? mapped : host;
                    if (IPAddress.TryParse(address, out var ip))
                    {
                        // An address needs no name lookup (the usual case: executors and gateways register addresses).
                        await socket.ConnectAsync(new IPEndPoint(ip, port), cts.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        await socket.ConnectAsync(address, port, cts.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new SocketException((int)SocketError.TimedOut);
                }
            }

            stream = new NetworkStream(socket, ownsSocket: true);
            if (tls)
            {
                stream = await _tls.AuthenticateAsync(stream, host, cancellationToken).ConfigureAwait(false);
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(buildId + "\n"), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw;
        }
    }
}
