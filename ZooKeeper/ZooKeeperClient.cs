using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zuul.LiveLog.ZooKeeper.Session;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>
/// An asynchronous ZooKeeper client holding one session: reconnects (same session) on connection loss,
/// reports expiry as terminal, delivers one-shot watches in order on one event loop.
/// </summary>
public sealed partial class ZooKeeperClient : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _options;
    private readonly ConnectionString _connectionString;
    private readonly IReadOnlyList<HostEndpoint> _hosts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<PendingRequest> _requests = Channel.CreateUnbounded<PendingRequest>();
    private readonly WatchManager _watches = new();
    private readonly EventLoop _events;
    private readonly Lock _stateLock = new();
    private readonly List<(string Scheme, byte[] Auth)> _authInfo = [];
    private readonly CancellationTokenSource _disposeCts = new();
    private readonly Task _runLoop;
    private ZooKeeperState _state = ZooKeeperState.Connecting;
    private TaskCompletionSource _stateSignal = NewSignal();
    private Exception? _terminal;
    private ClientConnection? _connection;
    private long _sessionId;
    private byte[] _sessionPassword;
    private long _lastZxid;
    private int _xid;
    private int _negotiatedTimeoutMs;
    private int _disposed;
    private string? _lastConnectFailure;

    /// <summary>Starts connecting in the background; use <see cref="WaitForStateAsync"/> or <see cref="ConnectAsync(ZooKeeperClientOptions, ILoggerFactory?, CancellationToken)"/> to wait for the session.</summary>
    public ZooKeeperClient(ZooKeeperClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SessionTimeout <= TimeSpan.Zero || options.MaxPacketSize <= 0)
        {
            throw new ArgumentException("SessionTimeout and MaxPacketSize must be positive.", nameof(options));
        }

        _options = options;
        _connectionString = ConnectionString.Parse(options.ConnectionString);
        _hosts = [.. _connectionString.Hosts.OrderBy(_ => Random.Shared.Next())];
        _time = options.TimeProvider;
        _logger = (ILogger?)loggerFactory?.CreateLogger<ZooKeeperClient>() ?? NullLogger.Instance;
        _sessionId = options.SessionId;
        _sessionPassword = options.SessionPassword ?? new byte[16];
        _negotiatedTimeoutMs = (int)options.SessionTimeout.TotalMilliseconds;
        _authInfo.AddRange(options.Credentials.Select(c => (c.Scheme, c.Auth)));
        DefaultAcl = options.DefaultAcl ?? Acl.OpenUnsafe;
        _events = new EventLoop(_logger);
        _runLoop = Task.Run(RunAsync);
    }

    /// <summary>Raised on the event loop, in order, once per state change.</summary>
    public event Action<ZooKeeperState>? StateChanged;

    public ZooKeeperState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>The session id (0 until the first connection).</summary>
    public long SessionId => Interlocked.Read(ref _sessionId);

    /// <summary>The session password, to re-attach the session from another client.</summary>
    public byte[] SessionPassword => (byte[])Volatile.Read(ref _sessionPassword).Clone();

    /// <summary>The timeout the server granted.</summary>
    public TimeSpan SessionTimeout => TimeSpan.FromMilliseconds(Volatile.Read(ref _negotiatedTimeoutMs));

    /// <summary>The ACL of nodes created without one (<see cref="ZooKeeperClientOptions.DefaultAcl"/>).</summary>
    public IReadOnlyList<Acl> DefaultAcl { get; }

    /// <summary>Why the last connection attempt failed (null after a successful one): the reason start-up errors carry.</summary>
    public string? LastConnectFailure => Volatile.Read(ref _lastConnectFailure);

    /// <summary>The chroot every path is relative to, or null.</summary>
    public string? Chroot => _connectionString.Chroot;

    /// <summary>The zxid of the last reply; SetWatches uses it to fire what changed while disconnected.</summary>
    public long LastZxidSeen => Interlocked.Read(ref _lastZxid);

    /// <summary>Creates a client and waits until its session is established (or <see cref="ZooKeeperClientOptions.ConnectTimeout"/> passes).</summary>
    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var client = new ZooKeeperClient(options, loggerFactory);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.ConnectTimeout);
            try
            {
                await client.WaitForStateAsync(ZooKeeperState.Connected, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionLossException(null, client.DescribeConnectTimeout());
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until the client is in <paramref name="state"/>; throws when it ends in another terminal state.</summary>
    public async Task WaitForStateAsync(ZooKeeperState state, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ZooKeeperState current;
            Task signal;
            lock (_stateLock)
            {
                current = _state;
                signal = _stateSignal.Task;
            }

            if (current == state)
            {
                return;
            }

            if (IsTerminal(current))
            {
                throw TerminalException(current);
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the session (its ephemeral nodes go at once) and stops the client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (State == ZooKeeperState.Connected)
        {
            await CloseSessionAsync().ConfigureAwait(false);
        }

        Terminate(ZooKeeperState.Closed, new ObjectDisposedException(nameof(ZooKeeperClient)));
        _disposeCts.Cancel();
        Volatile.Read(ref _connection)?.Abort();
        try
        {
            await _runLoop.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogDebugRunLoopEnded(exception);
        }

        await _events.DisposeAsync().ConfigureAwait(false);
        _disposeCts.Dispose();
    }

    /// <summary>The message of a first connection that did not come within <see cref="ZooKeeperClientOptions.ConnectTimeout"/>, with the last failure.</summary>
    internal string DescribeConnectTimeout() =>
        $"Could not connect to {_options.ConnectionString} within {_options.ConnectTimeout}" + (LastConnectFailure is { } why ? $"; last attempt: {why}" : string.Empty);

    internal static bool IsTerminal(ZooKeeperState state) =>
        state is ZooKeeperState.Expired or ZooKeeperState.AuthFailed or ZooKeeperState.Closed;

    private static Exception TerminalException(ZooKeeperState state) => state switch
    {
        ZooKeeperState.Expired => new SessionExpiredException(null, "The session has expired"),
        ZooKeeperState.AuthFailed => new AuthFailedException(null, "Authentication failed"),
        _ => new ObjectDisposedException(nameof(ZooKeeperClient)),
    };

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SetState(ZooKeeperState state)
    {
        ZooKeeperState previous;
        TaskCompletionSource signal;
        lock (_stateLock)
        {
            previous = _state;
            if (previous == state || IsTerminal(previous))
            {
                return;
            }

            _state = state;
            signal = _stateSignal;
            _stateSignal = NewSignal();
        }

        if (IsTerminal(state) && state != ZooKeeperState.Closed)
        {
            LogWarningSessionEnded(state, SessionId);
        }
        else
        {
            LogInformationStateChanged(previous, state, SessionId);
        }

        signal.TrySetResult();
        _events.Post(() =>
        {
            // Each handler on its own, so one that throws does not starve the others.
            foreach (var handler in StateChanged?.GetInvocationList() ?? [])
            {
                try
                {
                    ((Action<ZooKeeperState>)handler)(state);
                }
                catch (Exception exception)
                {
                    LogWarningStateHandlerFailed(state, exception);
                }
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Moves to a terminal state once: fails queued requests, tells remaining watchers, stops the connection.</summary>
    private void Terminate(ZooKeeperState state, Exception reason)
    {
        lock (_stateLock)
        {
            if (_terminal is not null)
            {
                return;
            }

            _terminal = reason;
        }

        SetState(state);
        Volatile.Read(ref _connection)?.Abort();
        FailQueued(reason);
        var orphans = _watches.Clear();
        if (state != ZooKeeperState.Closed && orphans.Count > 0)
        {
            // A one-shot watch that can never fire any more still gets its one event, so waiters are released.
            _events.Post(async () =>
            {
                foreach (var (path, watcher) in orphans)
                {
                    await InvokeWatcherAsync(watcher, new WatchedEvent(WatchedEventType.None, state, path)).ConfigureAwait(false);
                }
            });
        }
    }

    private void FailQueued(Exception reason)
    {
        while (_requests.Reader.TryRead(out var request))
        {
            request.Fail(reason is ObjectDisposedException ? new ConnectionLossException(request.Path, "The client was disposed") : Rebuild(reason, request.Path));
        }
    }

    private static Exception Rebuild(Exception reason, string? path) =>
        reason is ZooKeeperException zk ? ZooKeeperException.Create(zk.Code, path, zk.Message) : reason;

    private async Task InvokeWatcherAsync(Func<WatchedEvent, Task> watcher, WatchedEvent watchedEvent)
    {
        try
        {
            await watcher(watchedEvent).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogWarningWatcherFailed(watchedEvent.Path, exception);
        }
    }
}
