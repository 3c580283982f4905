namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Another reconfiguration is in progress.</summary>
public sealed class ReconfigInProgressException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.ReconfigInProgress, path, message);
