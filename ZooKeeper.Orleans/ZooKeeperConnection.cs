using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.Zuul.ZooKeeper.Orleans;

/// <summary>
/// The process's one ZooKeeper session (replaced after expiry), shared by membership, gateway list, grain storage
/// and the gateway registry. <see cref="WaitUntilConnectedAsync"/> is the start-up wait: it retries with a jittered,
/// doubling backoff and says what it waits for.
/// </summary>
public sealed partial class ZooKeeperConnection : IAsyncDisposable
{
    private readonly ZooKeeperOptions _options;
    private readonly ILogger<ZooKeeperConnection> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private volatile bool _ready;

    public ZooKeeperConnection(IOptions<ZooKeeperOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ZooKeeperConnection>();
        Sessions = new ZooKeeperSessionManager(_options.ToClientOptions(), loggerFactory);
    }

    public ZooKeeperSessionManager Sessions { get; }

    public string ConnectionString => _options.EffectiveConnectionString;

    /// <summary>True while the current session is connected (for health checks).</summary>
    public bool IsConnected => Sessions.Current is { State: ZooKeeperState.Connected };

    /// <summary>The current session's state, or null before the first connection.</summary>
    public ZooKeeperState? State => Sessions.Current?.State;

    /// <summary>The current client; the first call waits (retrying forever, logging each attempt) until ZooKeeper answers.</summary>
    public async Task<ZooKeeperClient> GetClientAsync(CancellationToken cancellationToken = default)
    {
        if (!_ready)
        {
            await WaitUntilConnectedAsync(cancellationToken).ConfigureAwait(false);
        }

        return await Sessions.GetClientAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects (creating the chroot if missing), retrying with jittered backoff until it works or is cancelled.</summary>
    public async Task WaitUntilConnectedAsync(CancellationToken cancellationToken = default)
    {
        if (_ready)
        {
            return;
        }

        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var delay = TimeSpan.FromMilliseconds(200);
            for (var attempt = 1; !_ready; attempt++)
            {
                try
                {
                    await EnsureChrootAsync(cancellationToken).ConfigureAwait(false);
                    await Sessions.GetClientAsync(cancellationToken).ConfigureAwait(false);
                    _ready = true;
                    LogInformationConnected(_logger, ConnectionString, attempt);
                }
                catch (Exception ex) when (ex is ZooKeeperException or System.Net.Sockets.SocketException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    var jittered = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (0.5 + Random.Shared.NextDouble()));
                    LogWarningWaiting(_logger, ConnectionString, attempt, jittered, ex.Message);
                    await Task.Delay(jittered, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, _options.MaxRetryDelay.TotalMilliseconds));
                }
            }
        }
        finally
        {
            _startGate.Release();
        }
    }

    private async Task EnsureChrootAsync(CancellationToken cancellationToken)
    {
        var parsed = global::Orleans.Zuul.ZooKeeper.ConnectionString.Parse(_options.EffectiveConnectionString);
        if (parsed.Chroot is not { Length: > 1 } chroot)
        {
            return;
        }

        var rootOptions = _options.ToClientOptions();
        rootOptions.ConnectionString = string.Join(',', parsed.Hosts.Select(h => h.ToString()));
        await using var root = await ZooKeeperClient.ConnectAsync(rootOptions, _loggerFactory, cancellationToken).ConfigureAwait(false);
        await root.EnsurePathAsync(chroot, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => Sessions.DisposeAsync();

    [LoggerMessage(2400, LogLevel.Warning, "Waiting for ZooKeeper at {ConnectionString} (attempt {Attempt}, next in {Delay}): {Reason}")]
    private static partial void LogWarningWaiting(ILogger logger, string connectionString, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(2401, LogLevel.Information, "Connected to ZooKeeper at {ConnectionString} (attempt {Attempt})")]
    private static partial void LogInformationConnected(ILogger logger, string connectionString, int attempt);
}
