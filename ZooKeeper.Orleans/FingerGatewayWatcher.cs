using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// The live zone-gateway registry, kept current by ZooKeeper watches (a child watch on <c>/components/fingergw</c>
/// and a data watch on every entry), re-read after a reconnect or a new session. No polling.
/// </summary>
public sealed partial class FingerGatewayWatcher : IAsyncDisposable
{
    private readonly ZooKeeperConnection _connection;
    private readonly ILogger<FingerGatewayWatcher> _logger;
    private readonly Channel<bool> _refresh = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<WatchedEvent, Task> _watcher;
    private readonly Lock _startLock = new();
    private IDisposable? _sessionSubscription;
    private Task? _loop;
    private IReadOnlyList<RegisteredGateway> _snapshot = [];

    public FingerGatewayWatcher(ZooKeeperConnection connection, ILogger<FingerGatewayWatcher> logger)
    {
        _connection = connection;
        _logger = logger;
        _watcher = OnWatchAsync;
    }

    /// <summary>The entries of the last read, without waiting (empty before the first read), e.g. for a metrics gauge.</summary>
    public IReadOnlyList<RegisteredGateway> Current => Volatile.Read(ref _snapshot);

    /// <summary>The current entries; the first call waits for the first read.</summary>
    public async Task<IReadOnlyList<RegisteredGateway>> GetAsync(CancellationToken cancellationToken = default)
    {
        EnsureStarted();
        await _firstLoad.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Volatile.Read(ref _snapshot);
    }

    public void EnsureStarted()
    {
        lock (_startLock)
        {
            if (_loop is not null)
            {
                return;
            }

            _sessionSubscription = _connection.Sessions.OnSessionStarted(_ => Signal());
            _refresh.Writer.TryWrite(true);
            _loop = Task.Run(LoopAsync);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _sessionSubscription?.Dispose();
        _refresh.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private Task OnWatchAsync(WatchedEvent watchedEvent) => Signal();

    private Task Signal()
    {
        _refresh.Writer.TryWrite(true);
        return Task.CompletedTask;
    }

    private async Task LoopAsync()
    {
        var failures = 0;
        try
        {
            while (await _refresh.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                _refresh.Reader.TryRead(out _);
                try
                {
                    await RefreshAsync(_stopping.Token).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
                {
                    failures++;
                    LogWarningRefreshFailed(_logger, failures, ex);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * failures)), _stopping.Token).ConfigureAwait(false);
                    _refresh.Writer.TryWrite(true);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
        await client.EnsurePathAsync(ZooKeeperPaths.FingerGateways, cancellationToken: cancellationToken).ConfigureAwait(false);
        var children = await client.GetChildrenAsync(ZooKeeperPaths.FingerGateways, _watcher, cancellationToken).ConfigureAwait(false);
        var entries = new List<RegisteredGateway>();
        foreach (var child in children.Children.Order(StringComparer.Ordinal))
        {
            try
            {
                var data = await client.GetDataAsync($"{ZooKeeperPaths.FingerGateways}/{child}", _watcher, cancellationToken).ConfigureAwait(false);
                if (RegisteredGateway.TryParse(data.Data) is { } entry)
                {
                    entries.Add(entry);
                }
                else
                {
                    LogWarningInvalidEntry(_logger, child);
                }
            }
            catch (NoNodeException)
            {
                // Gone between listing and reading; the child watch brings the next list.
            }
        }

        Volatile.Write(ref _snapshot, entries);
        _firstLoad.TrySetResult();
        LogDebugRefreshed(_logger, entries.Count);
    }

    [LoggerMessage(2530, LogLevel.Warning, "Reading the zone-gateway registry failed (attempt {Attempt}); retrying")]
    private static partial void LogWarningRefreshFailed(ILogger logger, int attempt, Exception exception);

    [LoggerMessage(2531, LogLevel.Warning, "Ignoring invalid zone-gateway registry entry {Child}")]
    private static partial void LogWarningInvalidEntry(ILogger logger, string child);

    [LoggerMessage(2532, LogLevel.Debug, "Zone-gateway registry: {Count} entries")]
    private static partial void LogDebugRefreshed(ILogger logger, int count);
}
