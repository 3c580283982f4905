namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The ACL is invalid.</summary>
public sealed class InvalidAclException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.InvalidAcl, path, message);
