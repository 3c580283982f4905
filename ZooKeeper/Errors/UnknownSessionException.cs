namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The session is not known to the server.</summary>
public sealed class UnknownSessionException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.UnknownSession, path, message);
