using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>Every state change a client reports, in order.</summary>
public sealed class StateLog
{
    private readonly List<ZooKeeperState> _seen = [];

    public StateLog(ZooKeeperClient client) => client.StateChanged += state =>
    {
        lock (_seen)
        {
            _seen.Add(state);
        }
    };

    public IReadOnlyList<ZooKeeperState> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Waits until the changes after the initial Connected (whose event may arrive after subscribing) are <paramref name="expected"/>.</summary>
    public Task WaitForAsync(IReadOnlyList<ZooKeeperState> expected) =>
        Eventually.UntilAsync(
            () => AfterConnect().SequenceEqual(expected),
            $"states [{string.Join(", ", expected)}], seen [{string.Join(", ", Seen)}]");

    public IReadOnlyList<ZooKeeperState> AfterConnect()
    {
        var seen = Seen;
        return seen.Count > 0 && seen[0] == ZooKeeperState.Connected ? [.. seen.Skip(1)] : seen;
    }
}
