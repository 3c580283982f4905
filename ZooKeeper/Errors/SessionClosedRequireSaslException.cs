namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The session was closed because SASL authentication is required.</summary>
public sealed class SessionClosedRequireSaslException(string? path = null, string? message = null)
    : ZooKeeperException(ZooKeeperErrorCode.SessionClosedRequireSasl, path, message);
