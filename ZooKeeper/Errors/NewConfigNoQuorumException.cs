namespace Zuul.LiveLog.ZooKeeper;

/// <summary>No quorum of the new configuration is connected.</summary>
public sealed class NewConfigNoQuorumException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.NewConfigNoQuorum, path, message);
