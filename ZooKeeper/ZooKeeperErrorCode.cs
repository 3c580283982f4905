namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Server and client error codes (KeeperException.Code).</summary>
public enum ZooKeeperErrorCode
{
    /// <summary>Everything is OK.</summary>
    Ok = 0,

    /// <summary>A system or server-side error.</summary>
    SystemError = -1,

    /// <summary>A runtime inconsistency was found (in a multi, the operations after the failing one).</summary>
    RuntimeInconsistency = -2,

    /// <summary>A data inconsistency was found.</summary>
    DataInconsistency = -3,

    /// <summary>The connection to the server was lost; the operation may or may not have been applied.</summary>
    ConnectionLoss = -4,

    /// <summary>A request or response could not be encoded or decoded.</summary>
    MarshallingError = -5,

    /// <summary>The operation is not implemented by the server.</summary>
    Unimplemented = -6,

    /// <summary>The operation timed out.</summary>
    OperationTimeout = -7,

    /// <summary>Invalid arguments.</summary>
    BadArguments = -8,

    /// <summary>The session is not known to the server.</summary>
    UnknownSession = -12,

    /// <summary>No quorum of the new configuration is connected.</summary>
    NewConfigNoQuorum = -13,

    /// <summary>Another reconfiguration is in progress.</summary>
    ReconfigInProgress = -14,

    /// <summary>An API error.</summary>
    ApiError = -100,

    /// <summary>The node does not exist.</summary>
    NoNode = -101,

    /// <summary>Not authorized for this operation.</summary>
    NoAuth = -102,

    /// <summary>The version given does not match the node's version.</summary>
    BadVersion = -103,

    /// <summary>Ephemeral nodes may not have children.</summary>
    NoChildrenForEphemerals = -108,

    /// <summary>The node already exists.</summary>
    NodeExists = -110,

    /// <summary>The node has children.</summary>
    NotEmpty = -111,

    /// <summary>The session has expired; this client object cannot be used any more.</summary>
    SessionExpired = -112,

    /// <summary>Invalid callback.</summary>
    InvalidCallback = -113,

    /// <summary>The ACL is invalid.</summary>
    InvalidAcl = -114,

    /// <summary>Authentication failed.</summary>
    AuthFailed = -115,

    /// <summary>The session moved to another server.</summary>
    SessionMoved = -118,

    /// <summary>A state-changing request was sent to a read-only server.</summary>
    NotReadOnly = -119,

    /// <summary>Ephemeral nodes cannot be created on a local session.</summary>
    EphemeralOnLocalSession = -120,

    /// <summary>No such watcher.</summary>
    NoWatcher = -121,

    /// <summary>The request timed out while waiting for the server.</summary>
    RequestTimeout = -122,

    /// <summary>Reconfiguration is disabled.</summary>
    ReconfigDisabled = -123,

    /// <summary>The session was closed because SASL authentication is required.</summary>
    SessionClosedRequireSasl = -124,

    /// <summary>A quota was exceeded.</summary>
    QuotaExceeded = -125,

    /// <summary>The request was throttled by the server.</summary>
    Throttled = -127,
}
