namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Authentication failed.</summary>
public sealed class AuthFailedException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.AuthFailed, path, message);
