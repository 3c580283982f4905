using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zuul.LiveLog.Tests.Tls;

/// <summary>
/// A TLS-passthrough router like an Ingress/Route or nginx <c>ssl_preread</c>: reads the ClientHello's SNI
/// without terminating TLS and forwards the whole connection to the port mapped to that name.
/// </summary>
public sealed class SniRouter : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyDictionary<string, int> _routes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public SniRouter(IReadOnlyDictionary<string, int> routes)
    {
        _routes = routes;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Server names seen, in order, for assertions.</summary>
    public List<string> Seen { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RouteAsync(client);
        }
    }

    private async Task RouteAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var header = new byte[5];
            if (!await ReadExactlyAsync(stream, header) || header[0] != 0x16)
            {
                return;
            }

            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(3))];
            if (!await ReadExactlyAsync(stream, body) || ServerName(body) is not { } name || !_routes.TryGetValue(name, out var port))
            {
                return;
            }

            lock (Seen)
            {
                Seen.Add(name);
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, port);
            var up = upstream.GetStream();
            await up.WriteAsync(header);
            await up.WriteAsync(body);
            var a = stream.CopyToAsync(up).ContinueWith(_ => upstream.Client.Shutdown(SocketShutdown.Send), TaskScheduler.Default);
            var b = up.CopyToAsync(stream).ContinueWith(_ => client.Client.Shutdown(SocketShutdown.Send), TaskScheduler.Default);
            await Task.WhenAll(a, b);
        }
    }

    /// <summary>The server_name extension of a ClientHello handshake message, or null.</summary>
    private static string? ServerName(ReadOnlySpan<byte> hello)
    {
        try
        {
            if (hello[0] != 1)
            {
                return null; // not a ClientHello
            }

            var p = 4 + 2 + 32;                       // handshake header, version, random
            p += 1 + hello[p];                        // session id
            p += 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[p..]); // cipher suites
            p += 1 + hello[p];                        // compression methods
            var end = p + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[p..]);
            p += 2;
            while (p + 4 <= end)
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(hello[p..]);
                var length = BinaryPrimitives.ReadUInt16BigEndian(hello[(p + 2)..]);
                if (type == 0)
                {
                    var nameLength = BinaryPrimitives.ReadUInt16BigEndian(hello[(p + 7)..]);
                    return Encoding.ASCII.GetString(hello.Slice(p + 9, nameLength));
                }

                p += 4 + length;
            }
        }
        catch (ArgumentOutOfRangeException)
        {
        }

        return null;
    }

    private static async Task<bool> ReadExactlyAsync(NetworkStream stream, byte[] buffer)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
