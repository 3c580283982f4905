using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>One place to read a build's log from: a finger port (plaintext or TLS) or the web frontend's websocket.</summary>
internal sealed record Target(string Key, string Label, int Port, string Uuid, bool Websocket = false, bool Tls = false)
{
    public string? Sni { get; init; }
}

/// <summary>The benchmark's own load client: large receive buffers, reads to EOF, counts bytes.</summary>
internal static class LoadClient
{
    public const int ReadBuffer = 1 << 20;

    public static X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Opens a finger stream and sends the request line; <paramref name="receiveBuffer"/> 0 = kernel autotuning.</summary>
    public static async Task<Stream> OpenFingerAsync(Target t, string uuid, int receiveBuffer, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer > 0)
        {
            socket.ReceiveBufferSize = receiveBuffer;
        }

        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, t.Port, ct);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (t.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = t.Sni,
                    ClientCertificates = ClientCertificate is null ? null : new X509CertificateCollection { ClientCertificate },
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = (_, _, _, _) => true, // benchmark: the gateways' CA is our own
                }, ct);
                stream = ssl;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(uuid + "\r\n"), ct);
            await stream.FlushAsync(ct);
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Time to first byte with blocking calls on the calling thread (plaintext finger only): no thread-pool hand-offs,
    /// which on a loaded 2-core machine would add milliseconds of the client's own to every sample.
    /// </summary>
    public static (long Bytes, long TtfbTicks) ReadAllBlocking(Target t, string uuid, byte[] buffer)
    {
        var start = Stopwatch.GetTimestamp();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, t.Port);
        socket.Send(Encoding.ASCII.GetBytes(uuid + "\r\n"));
        long total = 0;
        long ttfb = -1;
        while (true)
        {
            var n = socket.Receive(buffer);
            if (n == 0)
            {
                return (total, ttfb);
            }

            if (ttfb < 0)
            {
                ttfb = Stopwatch.GetTimestamp() - start;
            }

            total += n;
        }
    }

    /// <summary>Reads one whole stream; returns bytes and time to first byte (ticks from before connect).</summary>
    public static async Task<(long Bytes, long TtfbTicks)> ReadAllAsync(Target t, string uuid, byte[] buffer, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        if (t.Websocket)
        {
            return await ReadWebsocketAsync(t, uuid, buffer, start, ct);
        }

        // Blocking reads on a thread of its own: on a busy 2-core machine an async read pays a thread-pool
        // hand-off per chunk, which would make the client, not the server, the bottleneck.
        return await Task.Factory.StartNew(() => ReadAllBlocking(t, uuid, buffer, start, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static (long Bytes, long TtfbTicks) ReadAllBlocking(Target t, string uuid, byte[] buffer, long start, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4 << 20 };
        using var registration = ct.Register(socket.Dispose);
        Stream stream;
        try
        {
            socket.Connect(IPAddress.Loopback, t.Port);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (t.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                {
                    TargetHost = t.Sni,
                    ClientCertificates = ClientCertificate is null ? null : new X509CertificateCollection { ClientCertificate },
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                });
                stream = ssl;
            }

            stream.Write(Encoding.ASCII.GetBytes(uuid + "\r\n"));
            long total = 0;
            long ttfb = -1;
            while (true)
            {
                var n = stream.Read(buffer);
                if (n == 0)
                {
                    return (total, ttfb);
                }

                if (ttfb < 0)
                {
                    ttfb = Stopwatch.GetTimestamp() - start;
                }

                total += n;
            }
        }
        catch (ObjectDisposedException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        finally
        {
            stream.Dispose();
        }
    }

    private static async Task<(long Bytes, long TtfbTicks)> ReadWebsocketAsync(Target t, string uuid, byte[] buffer, long start, CancellationToken ct)
    {
        using var ws = await OpenWebsocketAsync(t, uuid, ct);
        long total = 0;
        long ttfb = -1;
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(), ct);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                if (ws.CloseStatus != WebSocketCloseStatus.NormalClosure)
                {
                    throw new IOException($"websocket closed with {ws.CloseStatus}: {ws.CloseStatusDescription}");
                }

                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                return (total, ttfb);
            }

            if (ttfb < 0)
            {
                ttfb = Stopwatch.GetTimestamp() - start;
            }

            total += r.Count;
        }
    }

    public static async Task<ClientWebSocket> OpenWebsocketAsync(Target t, string uuid, CancellationToken ct)
    {
        var ws = new ClientWebSocket();
        ws.Options.SetBuffer(64 * 1024, 4096);
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{t.Port}/api/tenant/default/console-stream"), ct);
        await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"uuid\": \"{uuid}\", \"logfile\": \"console.log\"}}"), WebSocketMessageType.Text, true, ct);
        return ws;
    }

    /// <summary>
    /// <paramref name="clients"/> clients each read the stream <paramref name="repeat"/> times one after the other.
    /// Returns aggregate MB/s (10^6 B), the TTFB samples (ms) and the number of streams of a wrong length.
    /// </summary>
    public static async Task<ThroughputRun> ThroughputAsync(Target t, int clients, int repeat, long expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var ttfbs = new List<double>();
        var errors = 0;
        long bytes = 0;
        var sw = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(async _ =>
        {
            var buffer = GC.AllocateUninitializedArray<byte>(ReadBuffer, pinned: true);
            for (var r = 0; r < repeat; r++)
            {
                try
                {
                    var (n, ttfb) = await ReadAllAsync(t, t.Uuid, buffer, cts.Token);
                    Interlocked.Add(ref bytes, n);
                    lock (ttfbs)
                    {
                        ttfbs.Add(Stats.Ms(ttfb));
                        if (n != expected)
                        {
                            errors++;
                        }
                    }
                }
                catch (Exception e) when (e is IOException or SocketException or WebSocketException or OperationCanceledException or AuthenticationException)
                {
                    lock (ttfbs)
                    {
                        errors++;
                    }
                }
            }
        }).ToList();
        await Task.WhenAll(tasks);
        var seconds = sw.Elapsed.TotalSeconds;
        return new ThroughputRun(bytes / seconds / 1e6, bytes, seconds, ttfbs, errors);
    }
}

internal sealed record ThroughputRun(double MBps, long Bytes, double Seconds, List<double> TtfbMs, int Errors);
