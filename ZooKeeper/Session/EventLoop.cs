using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>Runs watcher callbacks and state handlers one at a time, in the order they were posted.</summary>
internal sealed partial class EventLoop : IAsyncDisposable
{
    private readonly AsyncLocal<bool> _onLoop = new();
    private readonly Channel<Func<Task>> _channel = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventLoop(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>True while running inside a callback of this loop (awaiting the loop from there would deadlock).</summary>
    public bool IsOnLoop => _onLoop.Value;

    public void Post(Func<Task> work) => _channel.Writer.TryWrite(work);

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        if (!IsOnLoop)
        {
            // Let already queued events run, but never hang a dispose on a stuck handler.
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        _onLoop.Value = true;
        await foreach (var work in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogWarningHandlerFailed(exception);
            }
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "A ZooKeeper watcher or state handler threw")]
    private partial void LogWarningHandlerFailed(Exception exception);
}
