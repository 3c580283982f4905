namespace Zuul.LiveLog.Hosting.Connections;

/// <summary>Which limit refused a connection (the <c>error.type</c> of <c>zuul.streams.rejected</c>, see <see cref="Telemetry.StreamRejection"/>).</summary>
public enum ConnectionLimit
{
    /// <summary>The listener holds its maximum of connections.</summary>
    Listener,

    /// <summary>The client's address holds its maximum of connections on this listener.</summary>
    Client,
}
