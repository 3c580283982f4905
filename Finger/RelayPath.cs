namespace Zuul.LiveLog.Finger;

/// <summary>How a relay moves bytes from the upstream to the client (<see cref="FingerRelay.PathFor"/>).</summary>
public enum RelayPath
{
    /// <summary>Plain sockets on both ends on Linux: <c>splice(2)</c> through a pooled kernel pipe (copies while none is free).</summary>
    Splice,

    /// <summary>Into a pooled buffer, sent straight to the client's socket (a TLS upstream).</summary>
    SocketCopy,

    /// <summary>Through the client connection's pipe (a TLS client, or <c>FingerGateway:UseSplice</c> off).</summary>
    PipeCopy,

    /// <summary>From the build's shared window (<c>Sharing</c>): <c>sendfile(2)</c> to a plain socket, through the pipe for TLS.</summary>
    Shared,
}
