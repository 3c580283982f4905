namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>The hop a stream's bytes cross in this process (the <c>zuul.hop</c> attribute).</summary>
public enum StreamHop
{
    /// <summary>An executor's log streamer sending a build's log to its client.</summary>
    Direct,

    /// <summary>A finger gateway relaying a plaintext stream.</summary>
    Gateway,

    /// <summary>A finger gateway relaying a stream that is TLS on its client side, its upstream side or both.</summary>
    Tls,

    /// <summary>The web frontend sending a log to a browser over the console-stream websocket.</summary>
    Websocket,

    /// <summary>The web frontend sending a log to a browser as an HTTP response (<c>GET /api/tenant/{tenant}/build/{uuid}/log</c>).</summary>
    Http,
}
