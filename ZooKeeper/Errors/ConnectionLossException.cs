namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The connection to the server was lost; the operation may or may not have been applied.</summary>
public sealed class ConnectionLossException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.ConnectionLoss, path, message);
