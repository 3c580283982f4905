namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The request timed out while waiting for the server.</summary>
public sealed class RequestTimeoutException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.RequestTimeout, path, message);
