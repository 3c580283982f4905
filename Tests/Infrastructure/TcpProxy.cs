using System.Net;
using System.Net.Sockets;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of a server, so a test can cut one client off (drop its connections and refuse new ones)
/// while the server and other clients carry on.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _acceptLoop;
    private volatile bool _blocked;
    private long _bytesFromClients;
    private long _bytesToClients;
    private volatile TaskCompletionSource _thawed = Completed();

    public TcpProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A ZooKeeper connection string (<c>host:port/chroot</c>) rewritten to reach the same chroot through this proxy.</summary>
    public string Via(string connectionString) =>
        ConnectionString + (connectionString.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? connectionString[slash..] : string.Empty);

    /// <summary>Bytes read from clients so far (also while frozen), to know a request is on the wire.</summary>
    public long BytesFromClients => Interlocked.Read(ref _bytesFromClients);

    /// <summary>Bytes relayed to clients so far (replies the server sent that got through).</summary>
    public long BytesToClients => Interlocked.Read(ref _bytesToClients);

    /// <summary>Closes every relayed connection and refuses new ones until <see cref="Unblock"/>.</summary>
    public void Block()
    {
        _blocked = true;
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    public void Unblock() => _blocked = false;

    /// <summary>Keeps connections open but holds every byte (a silent peer), until <see cref="Thaw"/>.</summary>
    public void Freeze() => _thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Thaw() => _thawed.TrySetResult();

    private static TaskCompletionSource Completed()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Block();
        try
        {
            await _acceptLoop;
        }
        catch (Exception)
        {
            // Stopping the listener ends the loop with an exception by design.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var downstream = await _listener.AcceptTcpClientAsync(_stop.Token);
            if (_blocked)
            {
                downstream.Dispose();
                continue;
            }

            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            }
            catch (SocketException)
            {
                downstream.Dispose();
                upstream.Dispose();
                continue;
            }

            lock (_connections)
            {
                _connections.Add(downstream);
                _connections.Add(upstream);
            }

            _ = RelayAsync(downstream, upstream);
        }
    }

    private async Task RelayAsync(TcpClient a, TcpClient b)
    {
        using var done = new CancellationTokenSource();
        var one = PumpAsync(a, b, fromClient: true, done.Token);
        var two = PumpAsync(b, a, fromClient: false, done.Token);
        await Task.WhenAny(one, two);
        done.Cancel();
        a.Dispose();
        b.Dispose();
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool fromClient, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            while (true)
            {
                var read = await source.ReadAsync(buffer, token);
                if (read == 0)
                {
                    return;
                }

                // Counted when read, before they are passed on: once a peer has seen bytes, the count includes them
                // (counting after the write raced a test that reads the count as soon as its reply arrived).
                Interlocked.Add(ref fromClient ? ref _bytesFromClients : ref _bytesToClients, read);

                await _thawed.Task.WaitAsync(token);
                await target.WriteAsync(buffer.AsMemory(0, read), token);
            }
        }
        catch (Exception)
        {
            // Either side closing ends the relay.
        }
    }
}
