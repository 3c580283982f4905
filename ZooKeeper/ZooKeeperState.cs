namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Where a client's session stands (kazoo's Connected / Suspended / Lost, plus the Java client's terminal states).</summary>
public enum ZooKeeperState
{
    /// <summary>Not yet connected for the first time.</summary>
    Connecting,

    /// <summary>Connected; the session is live.</summary>
    Connected,

    /// <summary>Disconnected, reconnecting; the session may still be alive and ephemeral nodes still exist.</summary>
    Suspended,

    /// <summary>Terminal: the server expired the session; its ephemeral nodes and watches are gone.</summary>
    Expired,

    /// <summary>Terminal: the server rejected the session's authentication.</summary>
    AuthFailed,

    /// <summary>Terminal: the client was disposed.</summary>
    Closed,
}
