namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The operation is not implemented by the server.</summary>
public sealed class UnimplementedException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.Unimplemented, path, message);
