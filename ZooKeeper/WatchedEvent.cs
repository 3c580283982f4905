namespace Zuul.LiveLog.ZooKeeper;

/// <summary>One firing of a one-shot watch. <see cref="Path"/> is relative to the chroot.</summary>
public sealed record WatchedEvent(WatchedEventType Type, ZooKeeperState State, string? Path);
