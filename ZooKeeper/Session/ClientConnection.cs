using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Zuul.ZooKeeper.Jute;
using Orleans.Zuul.ZooKeeper.Protocol;

namespace Orleans.Zuul.ZooKeeper.Session;

/// <summary>
/// One TCP connection of a session: handshake, then one send loop, one receive loop and a ping/read-timeout timer.
/// Replies are matched to requests by xid in order; everything pending fails with connection loss when it ends.
/// </summary>
internal sealed partial class ClientConnection : IAsyncDisposable
{
    private const int MaxBatchBytes = 64 * 1024;
    private const int ReplyHeaderSize = 16;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
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

    private ClientConnection(Socket socket, HostEndpoint endpoint, IConnectionOwner owner, int maxPacketSize, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Endpoint = endpoint;
        _owner = owner;
        _maxPacketSize = maxPacketSize;
        _time = time;
        _logger = logger;
        _lastSend = _lastReceive = time.GetTimestamp();
    }

    public HostEndpoint Endpoint { get; }

    public ConnectResponse Handshake { get; private set; } = null!;

    /// <summary>Opens a socket and performs the connect handshake; the response may announce an expired session.</summary>
    public static async Task<ClientConnection> ConnectAsync(
        HostEndpoint endpoint,
        ConnectRequest request,
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

        var connection = new ClientConnection(socket, endpoint, owner, maxPacketSize, time, logger);
        try
        {
            var writer = new JuteWriter();
            writer.BeginFrame();
            request.Write(writer);
            writer.EndFrame();
            await connection._stream.WriteAsync(writer.WrittenMemory, deadline.Token).ConfigureAwait(false);
            var length = await connection.ReadFrameAsync(deadline.Token).ConfigureAwait(false);
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

    /// <summary>Sends an auth packet; <paramref name="waiter"/> completes with its reply.</summary>
    public async Task SendAuthAsync(byte[] frame, PendingRequest? waiter, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_pending)
            {
                if (_closed)
                {
                    throw new ConnectionLossException(null, "Connection closed before the auth packet was sent");
                }

                _authWaiters.Enqueue(waiter);
            }

            await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            _lastSend = _time.GetTimestamp();
        }
        finally
        {
            _writeLock.Release();
        }
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

    private async Task SendLoopAsync(ChannelReader<PendingRequest> requests, CancellationToken token)
    {
        var batch = new byte[MaxBatchBytes];
        while (await requests.WaitToReadAsync(token).ConfigureAwait(false))
        {
            await _writeLock.WaitAsync(token).ConfigureAwait(false);
            try
            {
                // Drain what is queued into one write: pipelined requests cost one syscall, not one each.
                var used = 0;
                byte[]? large = null;
                while (used < MaxBatchBytes && large is null && requests.TryRead(out var request))
                {
                    if (request.IsCompleted)
                    {
                        continue; // cancelled before it was sent
                    }

                    request.Xid = _owner.NextXid();
                    BinaryPrimitives.WriteInt32BigEndian(request.Frame.AsSpan(PendingRequest.XidOffset), request.Xid);
                    lock (_pending)
                    {
                        if (_closed)
                        {
                            request.Fail(new ConnectionLossException(request.Path));
                            continue;
                        }

                        _pending.Enqueue(request);
                    }

                    if (used + request.Frame.Length <= batch.Length)
                    {
                        request.Frame.CopyTo(batch, used);
                        used += request.Frame.Length;
                    }
                    else
                    {
                        large = request.Frame;
                    }
                }

                if (used > 0)
                {
                    await _stream.WriteAsync(batch.AsMemory(0, used), token).ConfigureAwait(false);
                }

                if (large is not null)
                {
                    await _stream.WriteAsync(large, token).ConfigureAwait(false);
                }

                _lastSend = _time.GetTimestamp();
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken token)
    {
        while (true)
        {
            await FillAsync(4, token).ConfigureAwait(false);
            var length = BinaryPrimitives.ReadInt32BigEndian(_receiveBuffer.AsSpan(_receiveStart));
            if (length > _maxPacketSize && length >= ReplyHeaderSize)
            {
                // Too large to accept: skip it, failing only the request it answers (the Java client would drop the connection).
                _receiveStart += 4;
                await FillAsync(ReplyHeaderSize, token).ConfigureAwait(false);
                var headerReader = new JuteReader(_receiveBuffer.AsSpan(_receiveStart, ReplyHeaderSize));
                var header = ReplyHeader.Read(ref headerReader);
                _receiveStart += ReplyHeaderSize;
                await SkipAsync(length - ReplyHeaderSize, token).ConfigureAwait(false);
                FailOversized(header, length);
                continue;
            }

            length = await ReadFrameAsync(token).ConfigureAwait(false);
            try
            {
                Dispatch(_receiveBuffer.AsSpan(_receiveStart, length));
            }
            finally
            {
                _receiveStart += length;
            }
        }
    }

    private void FailOversized(ReplyHeader header, int length)
    {
        if (header.Xid < 0)
        {
            throw new IOException($"Control packet of {length} bytes (xid {header.Xid}) exceeds the limit of {_maxPacketSize} bytes.");
        }

        PendingRequest? request;
        lock (_pending)
        {
            _pending.TryDequeue(out request);
        }

        if (request is null || request.Xid != header.Xid)
        {
            throw new IOException($"Reply xid {header.Xid} does not match the next pending request ({request?.Xid.ToString() ?? "none"}).");
        }

        if (header.Zxid > 0)
        {
            _owner.OnReplyZxid(header.Zxid);
        }

        request.Fail(new PacketTooLargeException(request.Path, length, _maxPacketSize));
    }

    private async ValueTask SkipAsync(int count, CancellationToken token)
    {
        while (count > 0)
        {
            var available = _receiveEnd - _receiveStart;
            if (available == 0)
            {
                await FillAsync(Math.Min(count, _receiveBuffer.Length), token).ConfigureAwait(false);
                continue;
            }

            var skipped = Math.Min(available, count);
            _receiveStart += skipped;
            count -= skipped;
        }
    }

    private void Dispatch(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        var header = ReplyHeader.Read(ref reader);
        switch (header.Xid)
        {
            case Xid.Ping:
                // A session closed behind our back (e.g. by another connection on it) shows up first in ping replies.
                if (header.Err == (int)ZooKeeperErrorCode.SessionExpired)
                {
                    _owner.OnSessionExpiredReply();
                }

                return;
            case Xid.Notification:
                _owner.OnNotification(WatcherEvent.Read(ref reader));
                return;
            case Xid.SetWatches:
                LogDebugSetWatchesReply(Endpoint, header.Err);
                if (header.Err == (int)ZooKeeperErrorCode.SessionExpired)
                {
                    _owner.OnSessionExpiredReply();
                }

                return;
            case Xid.Auth:
                OnAuthReply(header.Err);
                return;
        }

        PendingRequest? request;
        lock (_pending)
        {
            _pending.TryDequeue(out request);
        }

        if (request is null || request.Xid != header.Xid)
        {
            // Replies come in request order; anything else means the stream is out of step.
            request?.Fail(new MarshallingErrorException(request.Path, $"Reply xid {header.Xid} does not match request xid {request.Xid}"));
            throw new IOException($"Reply xid {header.Xid} does not match the next pending request ({request?.Xid.ToString() ?? "none"}).");
        }

        if (header.Zxid > 0)
        {
            _owner.OnReplyZxid(header.Zxid);
        }

        request.Complete(header.Err, ref reader);
        if (header.Err == (int)ZooKeeperErrorCode.SessionExpired)
        {
            _owner.OnSessionExpiredReply();
        }
    }

    private void OnAuthReply(int err)
    {
        PendingRequest? waiter;
        lock (_pending)
        {
            _authWaiters.TryDequeue(out waiter);
        }

        if (err == 0)
        {
            var empty = new JuteReader([]);
            waiter?.Complete(0, ref empty);
            return;
        }

        waiter?.Fail(new AuthFailedException(null, "The server rejected the authentication"));
        _owner.OnAuthFailed();
    }

    private async Task PingLoopAsync(TimeSpan sessionTimeout, CancellationToken token)
    {
        // As the Java client: read timeout at 2/3 of the session timeout, ping after 1/3 without sending.
        var readTimeout = sessionTimeout * 2 / 3;
        var pingInterval = sessionTimeout / 3;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(sessionTimeout.TotalMilliseconds / 20, 10, 500));
        var ping = BuildPingFrame();
        while (true)
        {
            await Task.Delay(tick, _time, token).ConfigureAwait(false);
            var now = _time.GetTimestamp();
            var silent = _time.GetElapsedTime(Volatile.Read(ref _lastReceive), now);
            if (silent > readTimeout)
            {
                throw new TimeoutException($"No bytes from {Endpoint} for {silent.TotalMilliseconds:F0} ms (read timeout {readTimeout.TotalMilliseconds:F0} ms).");
            }

            if (_time.GetElapsedTime(Volatile.Read(ref _lastSend), now) >= pingInterval)
            {
                await WriteControlAsync(ping, token).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteControlAsync(byte[] frame, CancellationToken token)
    {
        await _writeLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(frame, token).ConfigureAwait(false);
            _lastSend = _time.GetTimestamp();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Reads one length-prefixed frame; returns its length, the payload starts at <see cref="_receiveStart"/>.</summary>
    private async ValueTask<int> ReadFrameAsync(CancellationToken token)
    {
        await FillAsync(4, token).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(_receiveBuffer.AsSpan(_receiveStart));
        if (length < 0 || length > _maxPacketSize)
        {
            throw new IOException($"Packet length {length} from {Endpoint} is out of range (limit {_maxPacketSize}, jute.maxbuffer).");
        }

        _receiveStart += 4;
        await FillAsync(length, token).ConfigureAwait(false);
        return length;
    }

    private async ValueTask FillAsync(int count, CancellationToken token)
    {
        if (_receiveEnd - _receiveStart >= count)
        {
            return;
        }

        // Move the unread tail to the front, growing the buffer for frames larger than it.
        var unread = _receiveEnd - _receiveStart;
        if (count > _receiveBuffer.Length)
        {
            var bigger = new byte[Math.Max(count, _receiveBuffer.Length * 2)];
            _receiveBuffer.AsSpan(_receiveStart, unread).CopyTo(bigger);
            _receiveBuffer = bigger;
        }
        else
        {
            _receiveBuffer.AsSpan(_receiveStart, unread).CopyTo(_receiveBuffer);
        }

        _receiveStart = 0;
        _receiveEnd = unread;
        while (_receiveEnd < count)
        {
            var read = await _stream.ReadAsync(_receiveBuffer.AsMemory(_receiveEnd), token).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"Server {Endpoint} closed the connection.");
            }

            _receiveEnd += read;
            Volatile.Write(ref _lastReceive, _time.GetTimestamp());
        }
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

    private static byte[] BuildPingFrame()
    {
        var writer = new JuteWriter(16);
        writer.BeginFrame();
        new RequestHeader(Xid.Ping, OpCode.Ping).Write(writer);
        writer.EndFrame();
        return writer.WrittenSpan.ToArray();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "SetWatches reply from {Endpoint}: error {Err}")]
    private partial void LogDebugSetWatchesReply(HostEndpoint endpoint, int err);
}
