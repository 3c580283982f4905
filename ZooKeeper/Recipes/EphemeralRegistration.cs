using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>
/// Keeps an ephemeral (optionally sequential) node present for as long as its owner wants: re-creates it on the
/// new session after expiry and when someone deletes it, keeps its latest data, deletes it on dispose.
/// </summary>
public sealed partial class EphemeralRegistration : IAsyncDisposable
{
    private readonly ZooKeeperSessionManager _sessions;
    private readonly string _requestedPath;
    private readonly bool _sequential;
    private readonly IReadOnlyList<Acl>? _acl;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<long> _previousSessions = [];
    private readonly IDisposable _subscription;
    private byte[] _data;
    private string? _path;
    private long _ownerSession;

    private EphemeralRegistration(ZooKeeperSessionManager sessions, string path, ReadOnlyMemory<byte> data, bool sequential, IReadOnlyList<Acl>? acl, ILogger? logger)
    {
        _sessions = sessions;
        _requestedPath = path;
        _data = data.ToArray();
        _sequential = sequential;
        _acl = acl;
        _logger = logger ?? NullLogger.Instance;
        _subscription = sessions.OnSessionStarted(_ => EnsureInBackground());
    }

    /// <summary>Raised (on a pool thread) when the node was created again under a new path (sequential nodes after expiry).</summary>
    public event Action<string>? PathChanged;

    /// <summary>The node's current path (for sequential nodes, with the suffix the server gave it).</summary>
    public string Path => Volatile.Read(ref _path) ?? _requestedPath;

    /// <summary>The session that owns the node now.</summary>
    public long OwnerSessionId => Interlocked.Read(ref _ownerSession);

    /// <summary>Creates the node (creating missing parents) and starts keeping it.</summary>
    public static async Task<EphemeralRegistration> CreateAsync(
        ZooKeeperSessionManager sessions,
        string path,
        ReadOnlyMemory<byte> data,
        bool sequential = false,
        IReadOnlyList<Acl>? acl = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ZooKeeperPath.Validate(path, sequential);
        var registration = new EphemeralRegistration(sessions, path, data, sequential, acl, logger);
        try
        {
            await registration.EnsureAsync(cancellationToken).ConfigureAwait(false);
            return registration;
        }
        catch
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Replaces the node's data; kept for re-creations too.</summary>
    public async Task UpdateAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _data = data.ToArray();
            var client = await _sessions.GetClientAsync(cancellationToken).ConfigureAwait(false);
            if (_path is not null && client.SessionId == OwnerSessionId)
            {
                try
                {
                    // Unconditional set: safe to retry over a connection loss.
                    var (path, bytes) = (_path, _data);
                    await ZooKeeperRetry.RunAsync(token => client.SetDataAsync(path, bytes, -1, token), cancellationToken: cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (NoNodeException)
                {
                    // Deleted behind our back: fall through to re-create it with the new data.
                }
            }

            await EnsureLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops keeping the node and deletes it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        _subscription.Dispose();
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var client = _sessions.Current;
            if (_path is not null && client is not null && client.State == ZooKeeperState.Connected && client.SessionId == OwnerSessionId)
            {
                await client.DeleteAsync(_path).ConfigureAwait(false);
            }
        }
        catch (ZooKeeperException exception)
        {
            // Gone already, or the session is going away and takes the node with it.
            LogDebugDeleteFailed(Path, exception.Code);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task EnsureInBackground()
    {
        _ = Task.Run(async () =>
        {
            for (var attempt = 1; !_disposed.IsCancellationRequested; attempt++)
            {
                try
                {
                    await EnsureAsync(_disposed.Token).ConfigureAwait(false);
                    return;
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    LogWarningEnsureFailed(_requestedPath, attempt, exception);
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt)), _disposed.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>Makes sure the node exists on the current session; caller holds the gate.</summary>
    private async Task EnsureLockedAsync(CancellationToken cancellationToken)
    {
        var client = await _sessions.GetClientAsync(cancellationToken).ConfigureAwait(false);
        var session = client.SessionId;
        if (_path is not null && session == OwnerSessionId &&
            await client.ExistsAsync(_path, OnNodeEventAsync, cancellationToken).ConfigureAwait(false) is { } existing &&
            existing.EphemeralOwner == session)
        {
            return;
        }

        // A sequential create whose reply was lost may still have made a node for this session: adopt it rather than
        // leave a duplicate registration behind (Curator's "protected" mode, without the GUID in the name).
        if (_sequential && await FindOwnSequentialAsync(client, session, cancellationToken).ConfigureAwait(false) is { } own)
        {
            await client.SetDataAsync(own, _data, -1, cancellationToken).ConfigureAwait(false);
            await AdoptAsync(client, session, own, cancellationToken).ConfigureAwait(false);
            return;
        }

        var mode = _sequential ? CreateMode.EphemeralSequential : CreateMode.Ephemeral;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var created = await client.CreateWithParentsAsync(_requestedPath, _data, mode, _acl, cancellationToken).ConfigureAwait(false);
                await AdoptAsync(client, session, created, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NodeExistsException) when (!_sequential && attempt < 50)
            {
                // The node of an expired session of ours may outlive it for a moment; anyone else's we wait out.
                var stat = await client.ExistsAsync(_requestedPath, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (stat is null)
                {
                    continue;
                }

                if (stat.EphemeralOwner == session)
                {
                    await client.SetDataAsync(_requestedPath, _data, -1, cancellationToken).ConfigureAwait(false);
                    await AdoptAsync(client, session, _requestedPath, cancellationToken).ConfigureAwait(false);
                    return;
                }

                bool ours;
                lock (_previousSessions)
                {
                    ours = _previousSessions.Contains(stat.EphemeralOwner) || stat.EphemeralOwner == OwnerSessionId;
                }

                if (ours)
                {
                    await DeleteQuietlyAsync(client, _requestedPath, stat.Version, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Records <paramref name="path"/> as the registration's node on <paramref name="session"/> and watches it.</summary>
    private async Task AdoptAsync(ZooKeeperClient client, long session, string path, CancellationToken cancellationToken)
    {
        lock (_previousSessions)
        {
            if (OwnerSessionId != 0 && OwnerSessionId != session)
            {
                _previousSessions.Add(OwnerSessionId);
            }
        }

        Interlocked.Exchange(ref _ownerSession, session);
        var previous = Interlocked.Exchange(ref _path, path);
        await client.ExistsAsync(path, OnNodeEventAsync, cancellationToken).ConfigureAwait(false);
        LogInformationRegistered(path, session);
        if (previous is not null && previous != path)
        {
            PathChanged?.Invoke(path);
        }
    }

    /// <summary>This session's nodes named like ours (prefix + 10-digit counter); keeps the first, deletes the others.</summary>
    private async Task<string?> FindOwnSequentialAsync(ZooKeeperClient client, long session, CancellationToken cancellationToken)
    {
        var parent = ZooKeeperPath.Parent(_requestedPath);
        var prefix = _requestedPath[(_requestedPath.LastIndexOf('/') + 1)..];
        GetChildrenResult children;
        try
        {
            children = await client.GetChildrenAsync(parent, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return null;
        }

        string? own = null;
        foreach (var child in children.Children.Where(c => c.Length == prefix.Length + 10 && c.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var path = ZooKeeperPath.Combine(parent, child);
            var stat = await client.ExistsAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (stat is null || stat.EphemeralOwner != session)
            {
                continue;
            }

            if (own is null)
            {
                own = path;
            }
            else
            {
                await DeleteQuietlyAsync(client, path, -1, cancellationToken).ConfigureAwait(false);
            }
        }

        return own;
    }

    private static async Task DeleteQuietlyAsync(ZooKeeperClient client, string path, int version, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteAsync(path, version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NoNodeException or BadVersionException)
        {
        }
    }

    private Task OnNodeEventAsync(WatchedEvent watchedEvent)
    {
        // Deleted by someone else while our session lives: put it back. Session events are handled by the manager.
        if (watchedEvent.Type is WatchedEventType.NodeDeleted or WatchedEventType.NodeCreated or WatchedEventType.NodeDataChanged &&
            !_disposed.IsCancellationRequested)
        {
            return EnsureInBackground();
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Registered {Path} on session 0x{SessionId:x}")]
    private partial void LogInformationRegistered(string path, long sessionId);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Keeping {Path} registered failed (attempt {Attempt})")]
    private partial void LogWarningEnsureFailed(string path, int attempt, Exception exception);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Debug, Message = "Deleting {Path} on dispose: {Code}")]
    private partial void LogDebugDeleteFailed(string path, ZooKeeperErrorCode code);
}
