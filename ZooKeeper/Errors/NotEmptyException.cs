namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The node has children.</summary>
public sealed class NotEmptyException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.NotEmpty, path, message);
