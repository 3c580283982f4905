namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Ephemeral nodes may not have children.</summary>
public sealed class NoChildrenForEphemeralsException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.NoChildrenForEphemerals, path, message);
