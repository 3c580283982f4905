namespace Zuul.LiveLog.ZooKeeper;

/// <summary>What a watch fired for (Watcher.Event.EventType); <see cref="None"/> is a session event.</summary>
public enum WatchedEventType
{
    None = -1,
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
}
