namespace Zuul.LiveLog.Executor;

/// <summary>How one finger connection to the log streamer ended.</summary>
public enum StreamOutcome
{
    /// <summary>The build finished and every byte was sent.</summary>
    Finished,

    /// <summary>The log file was removed (Zuul's own end condition); every byte read was sent.</summary>
    LogRemoved,

    /// <summary>The client closed its side or the connection dropped.</summary>
    ClientGone,

    /// <summary>The executor is shutting down.</summary>
    Shutdown,

    InvalidBuildId,
    BuildNotFound,
    LogNotFound,
    RequestTooLong,
    RequestTimedOut,

    /// <summary>The client closed before sending a request line.</summary>
    NoRequest,

    /// <summary>An unexpected error (logged; the client sees the connection close).</summary>
    Failed,
}
