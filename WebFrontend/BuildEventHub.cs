using System.Threading.Channels;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// Fans build events out to every listening browser (server-sent events). A listener that cannot keep up is ended
/// rather than silently losing events; the browser reconnects and reloads the list. Fed by the build list's source:
/// <see cref="ZooKeeperBuildCatalog"/> with ZooKeeper, <see cref="ClusterBuildEventSubscription"/> without.
/// </summary>
public sealed class BuildEventHub
{
    /// <summary>Events a listener may have queued before it is cut off.</summary>
    public const int ListenerCapacity = 512;

    private readonly Lock _gate = new();
    private readonly Dictionary<Channel<BuildEvent>, string> _listeners = [];

    /// <summary>Starts listening to the builds of <paramref name="tenant"/> (a build exists only in its own tenant); dispose the returned listener to stop.</summary>
    public Listener Listen(string tenant)
    {
        var channel = Channel.CreateBounded<BuildEvent>(new BoundedChannelOptions(ListenerCapacity) { SingleReader = true });
        lock (_gate)
        {
            _listeners.Add(channel, tenant);
        }

        return new Listener(this, channel);
    }

    /// <summary>Hands one event to every listener of the build's tenant.</summary>
    public void Publish(BuildEvent item)
    {
        lock (_gate)
        {
            foreach (var (listener, tenant) in _listeners)
            {
                if (!string.Equals(tenant, item.Build.Tenant, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!listener.Writer.TryWrite(item))
                {
                    listener.Writer.TryComplete(new ChannelClosedException("The listener fell behind."));
                }
            }
        }
    }

    /// <summary>
    /// Ends every listener's stream: the server is stopping, or events were missed (browsers reconnect and load the
    /// list afresh).
    /// </summary>
    public void CompleteAll()
    {
        lock (_gate)
        {
            foreach (var listener in _listeners.Keys)
            {
                listener.Writer.TryComplete();
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
}
