namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A state-changing request was sent to a read-only server.</summary>
public sealed class NotReadOnlyException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.NotReadOnly, path, message);
