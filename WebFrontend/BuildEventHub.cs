using System.Threading.Channels;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Zuul.Grains;

namespace Orleans.Zuul.WebFrontend;

/// <summary>
/// The web frontend's one subscription to the cluster's build event stream, fanned out to every
/// listening browser (server-sent events). A listener that cannot keep up is ended rather than
/// silently losing events; the browser reconnects and reloads the list.
/// </summary>
public sealed partial class BuildEventHub(IClusterClient client, ILogger<BuildEventHub> logger) : BackgroundService, IAsyncObserver<BuildEvent>
{
    /// <summary>Events a listener may have queued before it is cut off.</summary>
    public const int ListenerCapacity = 512;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private readonly HashSet<Channel<BuildEvent>> _listeners = [];
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StreamSubscriptionHandle<BuildEvent>? _handle;

    /// <summary>Completes once the stream subscription is in place.</summary>
    public Task Subscribed => _subscribed.Task;

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
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _handle = await stream.SubscribeAsync(this);
                _subscribed.TrySetResult();
                LogInformationSubscribed(logger);
                return;
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
                return;
            }
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

    [LoggerMessage(502, LogLevel.Warning, "The build event stream reported an error")]
    private static partial void LogWarningStreamError(ILogger logger, Exception exception);

    [LoggerMessage(503, LogLevel.Information, "Unsubscribing from the build event stream failed: {Reason}")]
    private static partial void LogInformationUnsubscribeFailed(ILogger logger, string reason);
}
