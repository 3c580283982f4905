namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A system or server-side error.</summary>
public sealed class SystemErrorException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.SystemError, path, message);
