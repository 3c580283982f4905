namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>Where a process gets a build's finger stream from (the gateway and the web frontend resolve it through the cluster).</summary>
public interface IUpstreamSource
{
    /// <summary>Opens the build's stream, or says why it cannot be.</summary>
    Task<UpstreamOpening> OpenAsync(string buildId, CancellationToken cancellationToken);

    /// <summary>Whether a stream that ended after <paramref name="bytes"/> bytes was refused (nothing came while the build runs).</summary>
    Task<bool> WasRefusedAsync(string buildId, long bytes);

    /// <summary>The one line a client gets for a refused stream.</summary>
    string RefusedMessage(string buildId, string target);
}

/// <summary>
/// An opened upstream, or the one line that says why there is none (<paramref name="Failure"/> is the source's own reason).
/// <see cref="Continuation"/> decides what an end of <see cref="Stream"/> means (null: every end is the log's end).
/// </summary>
public sealed record UpstreamOpening(Stream? Stream, string Message, string? Target, object? Failure)
{
    public bool Ok => Stream is not null;

    /// <summary>The hop the stream comes from, as log lines name it (<c>executor host:port of zone X</c>); the target when not given.</summary>
    public string? Hop { get; init; }

    public IUpstreamContinuation? Continuation { get; init; }
}

/// <summary>
/// What comes after an upstream's end (PROTOCOL.md section 6, "When a stream ends"): the build's end, the same log
/// continued on a new upstream, or a failure. The source's rule, so the shared streams end exactly as a plain relay does.
/// </summary>
public interface IUpstreamContinuation
{
    /// <summary>
    /// The upstream ended (<paramref name="error"/> null: a clean end of stream) after <paramref name="delivered"/>
    /// bytes of the log in all: the next upstream, positioned after those bytes, or why there is none.
    /// </summary>
    Task<UpstreamNext> NextAsync(long delivered, Exception? error, CancellationToken cancellationToken);
}

/// <summary>
/// After an upstream's end: a new <paramref name="Stream"/> (resumed via the hop <paramref name="Target"/>), or none because the
/// build finished (<paramref name="Problem"/> null), or none because no hop could continue it (the problem, for the log).
/// </summary>
public sealed record UpstreamNext(Stream? Stream, string? Target, string? Problem)
{
    public static readonly UpstreamNext BuildFinished = new(null, null, null);

    public bool Resumed => Stream is not null;

    public bool Failed => Stream is null && Problem is not null;
}
