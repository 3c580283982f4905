using System.Threading.Channels;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>Records watch events in arrival order; <see cref="FlushAsync"/> proves nothing else is on its way.</summary>
public sealed class WatchRecorder
{
    private readonly Channel<WatchedEvent> _events = Channel.CreateUnbounded<WatchedEvent>();
    private readonly List<WatchedEvent> _all = [];

    public Func<WatchedEvent, Task> Watcher => Record;

    public IReadOnlyList<WatchedEvent> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public async Task<WatchedEvent> NextAsync(string what)
    {
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        try
        {
            return await _events.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No watch event within {Eventually.DefaultTimeout}: expected {what}. Seen: {string.Join(", ", All)}");
        }
    }

    /// <summary>
    /// Fires a marker watch on the same client and waits for it: events are delivered in order on one loop,
    /// so once the marker arrives every earlier event has been delivered too. Returns the events not yet read.
    /// </summary>
    public async Task<IReadOnlyList<WatchedEvent>> FlushAsync(ZooKeeperClient client)
    {
        var marker = "/flush-" + Guid.NewGuid().ToString("N");
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.ExistsAsync(marker, _ =>
        {
            fired.TrySetResult();
            return Task.CompletedTask;
        });
        await client.CreateAsync(marker, mode: CreateMode.Ephemeral);
        await Eventually.WithinAsync(fired.Task, "flush marker watch");
        await client.DeleteAsync(marker);
        var rest = new List<WatchedEvent>();
        while (_events.Reader.TryRead(out var item))
        {
            rest.Add(item);
        }

        return rest;
    }

    private Task Record(WatchedEvent watchedEvent)
    {
        lock (_all)
        {
            _all.Add(watchedEvent);
        }

        _events.Writer.TryWrite(watchedEvent);
        return Task.CompletedTask;
    }
}
