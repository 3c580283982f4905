using Zuul.LiveLog.ZooKeeper.Jute;
using Zuul.LiveLog.ZooKeeper.Protocol;
using Zuul.LiveLog.ZooKeeper.Session;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The session engine: connect, re-attach, fail over, detect expiry.</summary>
public sealed partial class ZooKeeperClient : IConnectionOwner
{
    // SetWatches frames are split below this size, as the Java client does, so re-arming never hits jute.maxbuffer.
    private const int SetWatchesBatchBytes = 128 * 1024;

    // A connection that lasted less than this is counted as a failed attempt for back-off.
    private static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(1);

    private async Task RunAsync()
    {
        var token = _disposeCts.Token;
        var nextHost = 0;
        var failedRounds = 0;
        while (!token.IsCancellationRequested && Volatile.Read(ref _terminal) is null && Volatile.Read(ref _disposed) == 0)
        {
            var connected = false;
            var established = false;
            for (var i = 0; i < _hosts.Count && !token.IsCancellationRequested && Volatile.Read(ref _terminal) is null; i++)
            {
                var endpoint = _hosts[nextHost];
                nextHost = (nextHost + 1) % _hosts.Count;
                var lasted = await TryRunConnectionAsync(endpoint, token).ConfigureAwait(false);
                if (lasted >= StableConnection)
                {
                    // After a working connection drops, retry at once (on the next host) before any back-off.
                    connected = true;
                    failedRounds = 0;
                    break;
                }

                if (lasted is not null)
                {
                    // Dropped right after the handshake (e.g. the server refuses something we prime): back off, do not spin.
                    established = true;
                    break;
                }
            }

            if (connected || token.IsCancellationRequested || Volatile.Read(ref _terminal) is not null)
            {
                continue;
            }

            // No server answered: requests queued meanwhile fail (as the Java client fails them per attempt), then back off with jitter.
            if (!established)
            {
                FailQueued(new ConnectionLossException(null, "No ZooKeeper server could be reached"));
            }

            failedRounds++;
            var delay = Math.Min(1000, 50 << Math.Min(failedRounds, 5)) * (0.5 + (Random.Shared.NextDouble() / 2));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delay), _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Connects to one host and runs the connection to its end; returns how long it was up, null when no session was established.</summary>
    private async Task<TimeSpan?> TryRunConnectionAsync(HostEndpoint endpoint, CancellationToken token)
    {
        var requestedSession = Interlocked.Read(ref _sessionId);
        var request = new ConnectRequest(0, LastZxidSeen, (int)_options.SessionTimeout.TotalMilliseconds, requestedSession, Volatile.Read(ref _sessionPassword), false);

        // A host gets its share of the session timeout to answer (as the Java client), but at most a third of it:
        // a server that accepts but does not answer (still starting) must not use up the whole session.
        var timeoutMs = Volatile.Read(ref _negotiatedTimeoutMs);
        var attemptTimeout = TimeSpan.FromMilliseconds(Math.Max(1000, Math.Min(timeoutMs / _hosts.Count, timeoutMs / 3)));
        ClientConnection connection;
        try
        {
            LogDebugConnecting(endpoint, requestedSession);
            connection = await ClientConnection.ConnectAsync(endpoint, request, _options.Tls, attemptTimeout, _options.MaxPacketSize, this, _time, _logger, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception exception)
        {
            var why = $"{endpoint}: {exception.Message}";
            // A server that answers but drops the session handshake (TLS on one side only, a refused certificate) is a
            // configuration problem worth a warning, once per new reason; refused or timed-out connects stay at debug.
            if (Interlocked.Exchange(ref _lastConnectFailure, why) != why && exception is IOException)
            {
                LogWarningConnectFailed(endpoint, exception.Message);
            }
            else
            {
                LogDebugConnectFailed(endpoint, exception.Message);
            }

            return null;
        }

        await using (connection.ConfigureAwait(false))
        {
            var handshake = connection.Handshake;
            if (handshake.TimeOut <= 0)
            {
                Terminate(ZooKeeperState.Expired, new SessionExpiredException(null, "The session has expired"));
                return TimeSpan.Zero;
            }

            var connectedAt = _time.GetTimestamp();
            Volatile.Write(ref _lastConnectFailure, null);

            Interlocked.Exchange(ref _sessionId, handshake.SessionId);
            Volatile.Write(ref _sessionPassword, handshake.Passwd);
            Volatile.Write(ref _negotiatedTimeoutMs, handshake.TimeOut);
            Volatile.Write(ref _connection, connection);
            LogDebugConnected(endpoint, handshake.SessionId, handshake.TimeOut);

            var primingFrames = requestedSession != 0 ? BuildSetWatchesFrames() : [];
            SetState(ZooKeeperState.Connected);
            var reason = await connection.RunAsync(_requests.Reader, BuildAuthFrames(), primingFrames, SessionTimeout).ConfigureAwait(false);
            Volatile.Write(ref _connection, null);
            // Once disposing, the server closing the socket after CloseSession is expected: no Suspended, no reconnect.
            if (!token.IsCancellationRequested && Volatile.Read(ref _terminal) is null && Volatile.Read(ref _disposed) == 0)
            {
                LogDebugConnectionLost(endpoint, reason.Message);
                SetState(ZooKeeperState.Suspended);
            }

            return _time.GetElapsedTime(connectedAt);
        }
    }

    private async Task CloseSessionAsync()
    {
        try
        {
            var frame = BuildFrame(OpCode.CloseSession, null, static _ => { });
            var request = new PendingRequest<bool>(OpCode.CloseSession, null, frame, static (int _, ref JuteReader _) => true);
            _requests.Writer.TryWrite(request);
            var wait = TimeSpan.FromMilliseconds(Math.Min(2000, Volatile.Read(ref _negotiatedTimeoutMs)));
            await request.Task.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The server expires the session on its own if the close does not arrive.
            LogDebugCloseFailed(exception.Message);
        }
    }

    private List<byte[]> BuildAuthFrames()
    {
        lock (_authInfo)
        {
            return [.. _authInfo.Select(a => BuildAuthFrame(a.Scheme, a.Auth))];
        }
    }

    private static byte[] BuildAuthFrame(string scheme, byte[] auth)
    {
        var writer = new JuteWriter();
        writer.BeginFrame();
        new RequestHeader(Xid.Auth, OpCode.Auth).Write(writer);
        new AuthPacket(0, scheme, auth).Write(writer);
        writer.EndFrame();
        return writer.WrittenSpan.ToArray();
    }

    private List<byte[]> BuildSetWatchesFrames()
    {
        var (data, exist, child) = _watches.Snapshot();
        var frames = new List<byte[]>();
        if (data.Count + exist.Count + child.Count == 0)
        {
            return frames;
        }

        LogDebugSetWatches(data.Count, exist.Count, child.Count, LastZxidSeen);
        List<string> d = [], e = [], c = [];
        var size = 0;
        void Flush()
        {
            var writer = new JuteWriter();
            writer.BeginFrame();
            new RequestHeader(Xid.SetWatches, OpCode.SetWatches).Write(writer);
            new SetWatches(LastZxidSeen, d, e, c).Write(writer);
            writer.EndFrame();
            frames.Add(writer.WrittenSpan.ToArray());
            d = [];
            e = [];
            c = [];
            size = 0;
        }

        foreach (var (paths, target) in new[] { (data, 0), (exist, 1), (child, 2) })
        {
            foreach (var path in paths)
            {
                var serverPath = ToServerPath(path);
                (target == 0 ? d : target == 1 ? e : c).Add(serverPath);
                size += serverPath.Length + 4;
                if (size >= SetWatchesBatchBytes)
                {
                    Flush();
                }
            }
        }

        if (size > 0)
        {
            Flush();
        }

        return frames;
    }

    int IConnectionOwner.NextXid() => Interlocked.Increment(ref _xid);

    void IConnectionOwner.OnReplyZxid(long zxid) => Interlocked.Exchange(ref _lastZxid, zxid);

    void IConnectionOwner.OnNotification(WatcherEvent notification)
    {
        var type = (WatchedEventType)notification.Type;
        if (type == WatchedEventType.None)
        {
            return;
        }

        var path = ToClientPath(notification.Path);
        var watchers = _watches.Materialize(type, path);
        LogDebugNotification(type, path, watchers.Count);
        if (watchers.Count == 0)
        {
            return;
        }

        var watchedEvent = new WatchedEvent(type, ZooKeeperState.Connected, path);
        _events.Post(async () =>
        {
            foreach (var watcher in watchers)
            {
                await InvokeWatcherAsync(watcher, watchedEvent).ConfigureAwait(false);
            }
        });
    }

    void IConnectionOwner.OnAuthFailed() =>
        Terminate(ZooKeeperState.AuthFailed, new AuthFailedException(null, "Authentication failed"));

    void IConnectionOwner.OnSessionExpiredReply() =>
        Terminate(ZooKeeperState.Expired, new SessionExpiredException(null, "The session has expired"));
}
