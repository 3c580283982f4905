using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.ZooKeeper.Jute;
using Zuul.LiveLog.ZooKeeper.Protocol;

namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>The reading side: frames, replies matched by xid in order, notifications, oversized replies.</summary>
internal sealed partial class ClientConnection
{
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

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "SetWatches reply from {Endpoint}: error {Err}")]
    private partial void LogDebugSetWatchesReply(HostEndpoint endpoint, int err);
}
