namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Not authorized for this operation.</summary>
public sealed class NoAuthException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.NoAuth, path, message);
