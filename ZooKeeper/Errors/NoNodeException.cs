namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The node does not exist.</summary>
public sealed class NoNodeException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.NoNode, path, message);
