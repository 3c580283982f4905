using System.Net;
using System.Net.Sockets;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// A log streamer stand-in on a stopped executor's port: it reads each finger request and answers every one with the
/// same bytes, then closes cleanly (an executor back without the log, or one that serves a finished log).
/// </summary>
internal sealed class CannedLogStreamer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _served;

    public CannedLogStreamer(int port, byte[] reply)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        // The executor's own connections on that port may still be in TIME_WAIT.
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _serving = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                _ = await stream.ReadAsync(new byte[64], _stop.Token);
                await stream.WriteAsync(reply, _stop.Token);
                Interlocked.Increment(ref _served);
            }
        });
    }

    /// <summary>Requests answered so far.</summary>
    public int Served => Volatile.Read(ref _served);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAny(_serving);
        _stop.Dispose();
    }
}
