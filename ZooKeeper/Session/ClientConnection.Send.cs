using System.Buffers.Binary;
using System.Threading.Channels;
using Zuul.LiveLog.ZooKeeper.Jute;
using Zuul.LiveLog.ZooKeeper.Protocol;

namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>The writing side: one send loop batching queued requests, auth packets, pings.</summary>
internal sealed partial class ClientConnection
{
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

    private async Task PingLoopAsync(TimeSpan sessionTimeout, CancellationToken token)
    {
        // As the Java client: read timeout at 2/3 of the session timeout; ping after 1/3 without sending, a second early
        // once idle for over a second, so the reply has that much more room before the read timeout.
        var readTimeout = sessionTimeout * 2 / 3;
        var pingInterval = sessionTimeout / 3;
        var earlyPing = pingInterval > TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(sessionTimeout.TotalMilliseconds / 20, 10, 500));
        var ping = BuildPingFrame();

        var silence = new SilenceMeter(_time, tick, readTimeout);
        while (true)
        {
            await Task.Delay(tick, _time, token).ConfigureAwait(false);
            var (silent, timedOut) = silence.Sample(Volatile.Read(ref _lastReceive));
            if (timedOut)
            {
                throw new TimeoutException($"No bytes from {Endpoint} for {silent.TotalMilliseconds:F0} ms (read timeout {readTimeout.TotalMilliseconds:F0} ms).");
            }

            if (_time.GetElapsedTime(Volatile.Read(ref _lastSend)) >= pingInterval - earlyPing)
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

    private static byte[] BuildPingFrame()
    {
        var writer = new JuteWriter(16);
        writer.BeginFrame();
        new RequestHeader(Xid.Ping, OpCode.Ping).Write(writer);
        writer.EndFrame();
        return writer.WrittenSpan.ToArray();
    }
}
