namespace Zuul.LiveLog.ZooKeeper;

/// <summary>An error code this client does not know (from a newer server).</summary>
public sealed class UnknownErrorException(ZooKeeperErrorCode code, string? path = null, string? message = null)
    : ZooKeeperException(code, path, message);
