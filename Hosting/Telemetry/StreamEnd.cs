namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>How a stream that was relaying ended (the <c>zuul.stream.outcome</c> attribute).</summary>
public enum StreamEnd
{
    /// <summary>The build ended and its log was sent to the end.</summary>
    Completed,

    /// <summary>The client went away.</summary>
    ClientClosed,

    /// <summary>The upstream connection broke.</summary>
    UpstreamFailed,

    /// <summary>This process stopped while streaming.</summary>
    Cancelled,

    /// <summary>The upstream closed without a byte while the build runs (e.g. it refused our TLS client certificate).</summary>
    Refused,

    /// <summary>An unexpected error (logged).</summary>
    Error,

    /// <summary>A log response over HTTP ended before the build did (caught up, or long enough); the page follows on the websocket.</summary>
    Cut,
}
