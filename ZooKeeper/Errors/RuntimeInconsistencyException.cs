namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A runtime inconsistency was found (in a multi, the operations after the failing one).</summary>
public sealed class RuntimeInconsistencyException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.RuntimeInconsistency, path, message);
