using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.ZooKeeper.Jute;
using Zuul.LiveLog.ZooKeeper.Protocol;
using Zuul.LiveLog.ZooKeeper.Tls;

namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>
/// One TCP connection of a session: handshake, then one send loop, one receive loop and a ping/read-timeout timer.
/// Replies are matched to requests by xid in order; everything pending fails with connection loss when it ends.
/// </summary>
internal sealed partial class ClientConnection : IAsyncDisposable
{
    private const int MaxBatchBytes = 64 * 1024;
    private const int ReplyHeaderSize = 16;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly IConnectionOwner _owner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxPacketSize;
    private readonly Queue<PendingRequest> _pending = new();
    private readonly Queue<PendingRequest?> _authWaiters = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private byte[] _receiveBuffer = new byte[64 * 1024];
    private int _receiveStart;
    private int _receiveEnd;
    private long _lastSend;
    private long _lastReceive;
    private bool _closed;

    private ClientConnection(Socket socket, Stream stream, HostEndpoint endpoint, IConnectionOwner owner, int maxPacketSize, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _stream = stream;
        Endpoint = endpoint;
        _owner = owner;
        _maxPacketSize = maxPacketSize;
        _time = time;
        _logger = logger;
        _lastSend = _lastReceive = time.GetTimestamp();
    }

    public HostEndpoint Endpoint { get; }

    public ConnectResponse Handshake { get; private set; } = null!;

    /// <summary>Opens a socket (and TLS when <paramref name="tls"/> is set) and performs the connect handshake; the response may announce an expired session.</summary>
    public static async Task<ClientConnection> ConnectAsync(
        HostEndpoint endpoint,
        ConnectRequest request,
        ZooKeeperTlsOptions? tls,
        TimeSpan timeout,
        int maxPacketSize,
        IConnectionOwner owner,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Connecting to {endpoint} took longer than {timeout}.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (tls is not null)
        {
            try
            {
                stream = await TlsHandshake.AuthenticateAsync(stream, endpoint, tls, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                if (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"The TLS handshake with {endpoint} took longer than {timeout}.");
                }

                throw;
            }
        }

        var connection = new ClientConnection(socket, stream, endpoint, owner, maxPacketSize, time, logger);
        try
        {
            var writer = new JuteWriter();
            writer.BeginFrame();
            request.Write(writer);
            writer.EndFrame();
            await connection._stream.WriteAsync(writer.WrittenMemory, deadline.Token).ConfigureAwait(false);
            int length;
            try
            {
                length = await connection.ReadFrameAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (IOException exception)
            {
                // The usual sign of TLS on one side only: a TLS-only port drops a plaintext request without a word.
                throw new IOException(tls is null
                    ? $"ZooKeeper at {endpoint} closed the connection without answering the session handshake; a TLS-only port (secureClientPort) does this to plaintext clients, so configure TLS if it is one ({exception.Message})"
                    : $"ZooKeeper at {endpoint}: {TlsHandshake.ExplainClosedAfterHandshake(exception)}", exception);
            }

            connection.Handshake = connection.DecodeHandshake(length);
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"Connecting to {endpoint} took longer than {timeout}.");
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends the priming frames (auth, SetWatches), then runs until the connection fails or <see cref="Abort"/> is called.
    /// Returns why it ended.
    /// </summary>
    public async Task<Exception> RunAsync(
        ChannelReader<PendingRequest> requests,
        IReadOnlyList<byte[]> authFrames,
        IReadOnlyList<byte[]> primingFrames,
        TimeSpan sessionTimeout)
    {
        var token = _stop.Token;
        Task[] loops;
        try
        {
            foreach (var frame in authFrames)
            {
                await SendAuthAsync(frame, null, token).ConfigureAwait(false);
            }

            foreach (var frame in primingFrames)
            {
                await WriteControlAsync(frame, token).ConfigureAwait(false);
            }

            loops = [ReceiveLoopAsync(token), SendLoopAsync(requests, token), PingLoopAsync(sessionTimeout, token)];
        }
        catch (Exception exception)
        {
            Close(exception);
            return exception;
        }

        var first = await Task.WhenAny(loops).ConfigureAwait(false);
        var reason = first.Exception?.GetBaseException()
            ?? (token.IsCancellationRequested ? new OperationCanceledException("Connection closed by the client.") : new IOException("Connection loop ended."));
        Close(reason);
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch
        {
            // The first failure is the one reported; the others follow from closing the socket.
        }

        return reason;
    }

    /// <summary>Stops the loops; <see cref="RunAsync"/> then fails whatever is pending.</summary>
    public void Abort()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(new ConnectionLossException(null, "Connection disposed"));
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
        _stop.Dispose();
    }

    private ConnectResponse DecodeHandshake(int length)
    {
        var reader = new JuteReader(_receiveBuffer.AsSpan(_receiveStart, length));
        var response = ConnectResponse.Read(ref reader);
        _receiveStart += length;
        return response;
    }

    private void Close(Exception reason)
    {
        List<PendingRequest> failed;
        List<PendingRequest?> authWaiters;
        lock (_pending)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            failed = [.. _pending];
            authWaiters = [.. _authWaiters];
            _pending.Clear();
            _authWaiters.Clear();
        }

        Abort();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
            // Already gone.
        }

        _socket.Close();
        foreach (var request in failed)
        {
            request.Fail(new ConnectionLossException(request.Path, $"Connection to {Endpoint} lost: {reason.Message}"));
        }

        foreach (var waiter in authWaiters)
        {
            waiter?.Fail(new ConnectionLossException(null, $"Connection to {Endpoint} lost: {reason.Message}"));
        }
    }
}
