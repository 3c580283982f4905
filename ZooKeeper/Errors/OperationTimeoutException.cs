namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The operation timed out.</summary>
public sealed class OperationTimeoutException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.OperationTimeout, path, message);
