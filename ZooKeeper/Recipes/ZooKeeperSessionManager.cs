using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>
/// Owns a <see cref="ZooKeeperClient"/> and replaces it with a new session when the current one expires,
/// so long-lived users (registrations, providers) survive expiry, which is terminal for one client object.
/// </summary>
public sealed partial class ZooKeeperSessionManager : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Func<ZooKeeperClient, Task>> _sessionStartedHandlers = [];
    private ZooKeeperClient? _current;
    private long _reconnects;
    private long _sessionsStarted;

    public ZooKeeperSessionManager(ZooKeeperClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Each new session is a new session: never re-attach the one that just expired.
        _options = options.ForNewSession();
        _loggerFactory = loggerFactory;
        _logger = (ILogger?)loggerFactory?.CreateLogger<ZooKeeperSessionManager>() ?? NullLogger.Instance;
    }

    /// <summary>Times a session was connected again after a disconnection (the same session, re-attached), for metrics.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Sessions established: the first one and every replacement after an expiry, for metrics.</summary>
    public long SessionsStarted => Interlocked.Read(ref _sessionsStarted);

    /// <summary>The client of the current session, if one was created and has not ended.</summary>
    public ZooKeeperClient? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Registers a callback run after every new session is established, including a replacement after expiry
    /// (not after a mere reconnect of the same session). Returns an unregistration.
    /// </summary>
    public IDisposable OnSessionStarted(Func<ZooKeeperClient, Task> handler)
    {
        lock (_sessionStartedHandlers)
        {
            _sessionStartedHandlers.Add(handler);
        }

        return new Unregistration(() =>
        {
            lock (_sessionStartedHandlers)
            {
                _sessionStartedHandlers.Remove(handler);
            }
        });
    }

    /// <summary>The current client, connecting a new session first when there is none or the last one ended.</summary>
    public async Task<ZooKeeperClient> GetClientAsync(CancellationToken cancellationToken = default)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && !ZooKeeperClient.IsTerminal(current.State))
        {
            return current;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        await _gate.WaitAsync(linked.Token).ConfigureAwait(false);
        ZooKeeperClient client;
        try
        {
            current = _current;
            if (current is not null && !ZooKeeperClient.IsTerminal(current.State))
            {
                return current;
            }

            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }

            // Subscribed before connecting, so an expiry right after the handshake is not missed.
            client = new ZooKeeperClient(_options, _loggerFactory);
            var suspended = false;
            client.StateChanged += state =>
            {
                // Raised in order on the client's one event loop, so the flag needs no lock.
                if (state == ZooKeeperState.Connected && suspended)
                {
                    Interlocked.Increment(ref _reconnects);
                }

                suspended = state == ZooKeeperState.Suspended;
                OnStateChanged(client, state);
            };
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
                deadline.CancelAfter(_options.ConnectTimeout);
                await client.WaitForStateAsync(ZooKeeperState.Connected, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                await client.DisposeAsync().ConfigureAwait(false);
                if (exception is OperationCanceledException && !linked.IsCancellationRequested)
                {
                    throw new ConnectionLossException(null, client.DescribeConnectTimeout());
                }

                throw;
            }

            Volatile.Write(ref _current, client);
            Interlocked.Increment(ref _sessionsStarted);
            LogInformationNewSession(client.SessionId);
        }
        finally
        {
            _gate.Release();
        }

        await RaiseSessionStartedAsync(client).ConfigureAwait(false);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        var current = Interlocked.Exchange(ref _current, null);
        if (current is not null)
        {
            await current.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnStateChanged(ZooKeeperClient client, ZooKeeperState state)
    {
        if (state is not (ZooKeeperState.Expired or ZooKeeperState.AuthFailed) || _disposed.IsCancellationRequested)
        {
            return;
        }

        // Replace the dead session in the background, retrying until a server answers or we are disposed.
        _ = Task.Run(async () =>
        {
            for (var attempt = 1; !_disposed.IsCancellationRequested; attempt++)
            {
                try
                {
                    if (Volatile.Read(ref _current) == client)
                    {
                        await GetClientAsync(_disposed.Token).ConfigureAwait(false);
                    }

                    return;
                }
                catch (Exception exception) when (!_disposed.IsCancellationRequested)
                {
                    LogWarningReplaceFailed(attempt, exception);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * attempt)), _disposed.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    private async Task RaiseSessionStartedAsync(ZooKeeperClient client)
    {
        Func<ZooKeeperClient, Task>[] handlers;
        lock (_sessionStartedHandlers)
        {
            handlers = [.. _sessionStartedHandlers];
        }

        foreach (var handler in handlers)
        {
            try
            {
                await handler(client).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogWarningHandlerFailed(exception);
            }
        }
    }

    private sealed class Unregistration(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "New ZooKeeper session 0x{SessionId:x}")]
    private partial void LogInformationNewSession(long sessionId);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Replacing the expired ZooKeeper session failed (attempt {Attempt})")]
    private partial void LogWarningReplaceFailed(int attempt, Exception exception);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "A session-started handler threw")]
    private partial void LogWarningHandlerFailed(Exception exception);
}
