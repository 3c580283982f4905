namespace Zuul.LiveLog.ZooKeeper;

/// <summary>An API error.</summary>
public sealed class ApiErrorException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.ApiError, path, message);
