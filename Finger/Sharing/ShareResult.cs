namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>How one client's shared stream ended (STYLE.md: errors as data at boundaries).</summary>
public enum ShareOutcome
{
    /// <summary>The upstream ended the stream (the build ended) and the client got every byte.</summary>
    Completed,

    /// <summary>The client went away.</summary>
    ClientGone,

    /// <summary>
    /// The upstream broke, or (with a message) never sent anything while the build runs, or the client fell behind and
    /// its own upstream could not be opened.
    /// </summary>
    Failed,

    /// <summary>Cut on request while caught up, at a character boundary (the HTTP log response).</summary>
    Cut,

    /// <summary>Cancelled (shutdown).</summary>
    Cancelled,
}

/// <summary>The outcome, the bytes sent, the one line to show for a failure (when there is one), and how often the client caught up on its own upstream.</summary>
public sealed record ShareResult(ShareOutcome Outcome, long BytesToClient, string? Message, int CatchUps)
{
    /// <summary>For a failure: the hop whose stream was lost (as log lines name it), when one was.</summary>
    public string? Hop { get; init; }

    /// <summary>For a failure: why, for the log.</summary>
    public string? Problem { get; init; }
}

/// <summary>A client joined to a build's shared stream, or why it could not be (<see cref="Opening"/> says).</summary>
public sealed record StreamJoin(Subscription? Subscription, UpstreamOpening Opening, bool Shared)
{
    public bool Ok => Subscription is not null;
}
