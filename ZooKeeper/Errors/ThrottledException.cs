namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The request was throttled by the server.</summary>
public sealed class ThrottledException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.Throttled, path, message);
