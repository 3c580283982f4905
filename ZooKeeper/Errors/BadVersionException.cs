namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The version given does not match the node's version.</summary>
public sealed class BadVersionException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.BadVersion, path, message);
