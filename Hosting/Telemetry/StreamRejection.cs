namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>Why a request got an error instead of a stream (the <c>error.type</c> attribute of <c>zuul.streams.rejected</c>).</summary>
public enum StreamRejection
{
    /// <summary>Not a valid build id, or (websocket) not a valid request message.</summary>
    InvalidRequest,

    /// <summary>The request line did not arrive in time.</summary>
    RequestTimeout,

    /// <summary>The request line was longer than allowed.</summary>
    RequestTooLong,

    BuildNotFound,
    BuildNotStarted,

    /// <summary>Executor: the build's directory exists but its log does not yet.</summary>
    LogNotFound,

    /// <summary>Asking the build's grain failed.</summary>
    ResolutionFailed,

    /// <summary>The build's zone has no reachable finger gateway.</summary>
    NoGatewayInZone,

    /// <summary>No hop (executor or gateway) could be connected to.</summary>
    UpstreamUnreachable,

    /// <summary>The finger gateway is shutting down.</summary>
    Draining,

    /// <summary>Executor: the client is not in <c>Executor:AllowedClients</c>.</summary>
    ClientNotAllowed,

    /// <summary>The listener (finger gateway, log streamer, console-stream websockets) holds its maximum of connections.</summary>
    TooManyConnections,

    /// <summary>The client's address holds its maximum of connections on that listener.</summary>
    TooManyConnectionsFromClient,
}
