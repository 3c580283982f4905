namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>The ZooKeeper session's identity does not own what the process would create: a configuration error, not retried.</summary>
public sealed class ZooKeeperIdentityException(string message) : InvalidOperationException(message);
