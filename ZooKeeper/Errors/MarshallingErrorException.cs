namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A request or response could not be encoded or decoded.</summary>
public sealed class MarshallingErrorException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.MarshallingError, path, message);
