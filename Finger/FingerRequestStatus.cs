namespace Zuul.LiveLog.Finger;

/// <summary>How reading a finger request line ended.</summary>
public enum FingerRequestStatus
{
    Ok,

    /// <summary>The line is not a valid build id (answer: "Build ID &lt;id&gt; is not valid").</summary>
    InvalidBuildId,

    /// <summary>No line feed within <see cref="FingerRequestReader.MaxLineLength"/> bytes.</summary>
    TooLong,

    /// <summary>The client did not send a full line in time.</summary>
    TimedOut,

    /// <summary>The client closed before sending a full line.</summary>
    ClientClosed,
}
