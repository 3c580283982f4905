using Orleans.Runtime;
using Orleans.Streams;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// Without ZooKeeper: the web frontend's one subscription to the cluster's build event stream, handed to the
/// <see cref="BuildEventHub"/>. The subscription lives in the cluster's pub-sub state, which a silo restart can lose
/// (memory storage): it is checked every <see cref="CheckInterval"/> and made again when gone, ending the listeners so
/// browsers reload.
/// </summary>
public sealed partial class ClusterBuildEventSubscription(IClusterClient client, BuildEventHub hub, IConfiguration configuration, ILogger<ClusterBuildEventSubscription> logger) : BackgroundService, IAsyncObserver<BuildEvent>
{
    /// <summary>Configuration key of <see cref="CheckInterval"/>.</summary>
    public const string CheckIntervalKey = "WebFrontend:EventSubscriptionCheckInterval";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StreamSubscriptionHandle<BuildEvent>? _handle;

    /// <summary>Completes once the stream subscription is in place.</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>How often the subscription is checked for (default 30 s).</summary>
    public TimeSpan CheckInterval { get; } = configuration.GetValue(CheckIntervalKey, TimeSpan.FromSeconds(30));

    /// <summary>How many times the subscription was found gone and made again.</summary>
    public int Resubscriptions => Volatile.Read(ref _resubscriptions);

    private int _resubscriptions;

    public Task OnNextAsync(BuildEvent item, StreamSequenceToken? token = null)
    {
        hub.Publish(item);
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
            hub.CompleteAll();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        hub.CompleteAll();

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
