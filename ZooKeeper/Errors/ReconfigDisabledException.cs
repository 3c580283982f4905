namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Reconfiguration is disabled.</summary>
public sealed class ReconfigDisabledException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.ReconfigDisabled, path, message);
