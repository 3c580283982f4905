namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The session has expired; this client object cannot be used any more.</summary>
public sealed class SessionExpiredException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.SessionExpired, path, message);
