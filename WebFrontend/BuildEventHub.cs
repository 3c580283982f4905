using System.Threading.Channels;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Zuul.Grains;

namespace Orleans.Zuul.WebFrontend;

/// <summary>
/// The web frontend's one subscription to the cluster's build event stream, fanned out to every
/// listening browser (server-sent events). A listener that cannot keep up is ended rather than
/// silently losing events; the browser reconnects and reloads the list.
/// The subscription lives in the cluster's pub-sub state, which a silo restart can lose (memory storage): it is
/// checked every <see cref="CheckInterval"/> and made again when gone, ending the listeners so browsers reload.
/// </summary>
public sealed partial class BuildEventHub(IClusterClient client, IConfiguration configuration, ILogger<BuildEventHub> logger) : BackgroundService, IAsyncObserver<BuildEvent>
{
    /// <summary>Configuration key of <see cref="CheckInterval"/>.</summary>
    public const string CheckIntervalKey = "WebFrontend:EventSubscriptionCheckInterval";

    /// <summary>Events a listener may have queued before it is cut off.</summary>
    public const int ListenerCapacity = 512;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private readonly HashSet<Channel<BuildEvent>> _listeners = [];
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StreamSubscriptionHandle<BuildEvent>? _handle;

    /// <summary>Completes once the stream subscription is in place.</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>How often the subscription is checked for (default 30 s).</summary>
    public TimeSpan CheckInterval { get; } = configuration.GetValue(CheckIntervalKey, TimeSpan.FromSeconds(30));

    /// <summary>How many times the subscription was found gone and made again.</summary>
    public int Resubscriptions => Volatile.Read(ref _resubscriptions);

    private int _resubscriptions;

    /// <summary>Starts listening; dispose the returned listener to stop.</summary>
    public Listener Listen()
    {
        var channel = Channel.CreateBounded<BuildEvent>(new BoundedChannelOptions(ListenerCapacity) { SingleReader = true });
        lock (_gate)
        {
            _listeners.Add(channel);
        }

        return new Listener(this, channel);
    }

    public Task OnNextAsync(BuildEvent item, StreamSequenceToken? token = null)
    {
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                if (!listener.Writer.TryWrite(item))
                {
                    listener.Writer.TryComplete(new ChannelClosedException("The listener fell behind."));
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogWarningStreamError(logger, ex);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stream = client.GetStreamProvider(BuildEvents.StreamProvider)
            .GetStream<BuildEvent>(StreamId.Create(BuildEvents.Namespace, BuildEvents.Key));
        if (!await SubscribeAsync(stream, stoppingToken))
        {
            return;
        }

        using var timer = new PeriodicTimer(CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckAsync(stream, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Subscribes, retrying until it works or the service stops; false when stopped first.</summary>
    private async Task<bool> SubscribeAsync(IAsyncStream<BuildEvent> stream, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _handle = await stream.SubscribeAsync(this);
                _subscribed.TrySetResult();
                LogInformationSubscribed(logger);
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWarningSubscribeFailed(logger, RetryDelay, ex);
            }

            try
            {
                await Task.Delay(RetryDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    private async Task CheckAsync(IAsyncStream<BuildEvent> stream, CancellationToken stoppingToken)
    {
        IList<StreamSubscriptionHandle<BuildEvent>> handles;
        try
        {
            handles = await stream.GetAllSubscriptionHandles();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The cluster is unreachable right now; the next check asks again.
            LogDebugCheckFailed(logger, ex.Message);
            return;
        }

        if (_handle is { } mine && handles.Any(h => h.HandleId == mine.HandleId))
        {
            return;
        }

        LogWarningSubscriptionLost(logger);
        Interlocked.Increment(ref _resubscriptions);
        if (await SubscribeAsync(stream, stoppingToken))
        {
            // Events were missed meanwhile: browsers reconnect and load the list afresh.
            CompleteAll();
        }
    }

    /// <summary>Ends every listener's stream (the server is stopping: browsers reconnect elsewhere or later).</summary>
    public void CompleteAll()
    {
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                listener.Writer.TryComplete();
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        CompleteAll();

        if (_handle is { } handle)
        {
            try
            {
                await handle.UnsubscribeAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (Exception ex)
            {
                // The cluster may already be gone; its pub-sub forgets dead clients.
                LogInformationUnsubscribeFailed(logger, ex.Message);
            }
        }
    }

    private void Remove(Channel<BuildEvent> channel)
    {
        lock (_gate)
        {
            _listeners.Remove(channel);
        }
    }

    /// <summary>One browser's queue of events.</summary>
    public sealed class Listener(BuildEventHub hub, Channel<BuildEvent> channel) : IDisposable
    {
        public ChannelReader<BuildEvent> Events => channel.Reader;

        public void Dispose()
        {
            hub.Remove(channel);
            channel.Writer.TryComplete();
        }
    }

    [LoggerMessage(500, LogLevel.Information, "Subscribed to the build event stream")]
    private static partial void LogInformationSubscribed(ILogger logger);

    [LoggerMessage(501, LogLevel.Warning, "Subscribing to the build event stream failed; retrying in {Delay}")]
    private static partial void LogWarningSubscribeFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(504, LogLevel.Warning, "The build event subscription is gone from the cluster (a silo restart can lose it); subscribing again")]
    private static partial void LogWarningSubscriptionLost(ILogger logger);

    [LoggerMessage(505, LogLevel.Debug, "Checking the build event subscription failed: {Error}")]
    private static partial void LogDebugCheckFailed(ILogger logger, string error);

    [LoggerMessage(502, LogLevel.Warning, "The build event stream reported an error")]
    private static partial void LogWarningStreamError(ILogger logger, Exception exception);

    [LoggerMessage(503, LogLevel.Information, "Unsubscribing from the build event stream failed: {Reason}")]
    private static partial void LogInformationUnsubscribeFailed(ILogger logger, string reason);
}
