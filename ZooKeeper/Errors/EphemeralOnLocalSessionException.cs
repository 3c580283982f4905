namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Ephemeral nodes cannot be created on a local session.</summary>
public sealed class EphemeralOnLocalSessionException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.EphemeralOnLocalSession, path, message);
