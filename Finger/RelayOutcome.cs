namespace Zuul.LiveLog.Finger;

/// <summary>Which side ended a relayed stream, and how (STYLE.md: errors as data at boundaries).</summary>
public enum RelayOutcome
{
    /// <summary>The upstream finished the stream (build ended).</summary>
    UpstreamCompleted,

    /// <summary>The client went away.</summary>
    ClientClosed,

    /// <summary>The upstream connection broke.</summary>
    UpstreamFailed,

    /// <summary>The relay was cancelled (shutdown).</summary>
    Cancelled,
}
