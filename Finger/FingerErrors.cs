using System.Text;

namespace Zuul.LiveLog.Finger;

/// <summary>
/// The one-line error texts of the finger protocol, every one this project sends. Zuul's exact wording is kept where
/// Zuul has the line: scripts grep for it.
/// </summary>
public static class FingerErrors
{
    /// <summary>
    /// The fewest bytes of a line that <see cref="IsErrorReply"/> compares: a log's first bytes that match this much of
    /// an error line naming the same build are taken for the error line.
    /// </summary>
    private const int LeastCompared = 20;

    public static string InvalidBuildId(string rawId) => $"Build ID {rawId} is not valid\n";

    public static string BuildNotFound(string id) => $"Build ID {id} not found\n";

    public static string BuildNotStarted(string id) => $"Build ID {id} did not start yet\n";

    public static string LogNotFound(string id) => $"Log not found for build ID {id}\n";

    /// <summary>The cluster could not be asked about the build (not the build's fault).</summary>
    public static string ResolutionFailed(string id) => $"Internal error while resolving build ID {id}\n";

    public static string ExecutorNotAllowed(string id) => $"Build ID {id} is not relayed: its executor is outside its zone's executor networks\n";

    public static string NoGatewayInZone(string id, string? zone) => $"Build ID {id} runs in zone {zone}, which has no reachable finger gateway\n";

    public static string UpstreamUnreachable(string id, bool tlsFailed) => tlsFailed
        ? $"Unable to connect to the log streamer for build ID {id} (TLS handshake failed)\n"
        : $"Unable to connect to the log streamer for build ID {id}\n";

    /// <summary>A stream that ended at once while the build runs (see <c>BuildStreamOpener.WasRefusedAsync</c>).</summary>
    public static string Refused(string id, string target) =>
        $"The log stream of build ID {id} ended before the build finished (refused by {target})\n";

    public const string LineTooLong = "Request line too long\n";

    public const string RequestTimeout = "Timed out waiting for the request line\n";

    /// <summary>The listener holds its maximum of connections (ours; Zuul has no limit).</summary>
    public const string TooManyConnections = "Too many connections, try again later\n";

    /// <summary>The client's address holds its maximum of connections (ours).</summary>
    public const string TooManyConnectionsFromClient = "Too many connections from your address, try again later\n";

    /// <summary>The gateway drains or stops: the client should try again (another gateway of the zone).</summary>
    public const string ShuttingDown = "Finger gateway is shutting down, try again\n";

    /// <summary>
    /// Whether the first bytes a hop sent for <paramref name="buildId"/> are one of our error lines rather than the log:
    /// they match the start of such a line over all of <paramref name="first"/> or the whole line, and over at least
    /// <see cref="LeastCompared"/> bytes unless the line is shorter. Finger has no framing: a stream resumed by skipping
    /// the bytes already delivered must not pass the tail of an error line on as log bytes.
    /// </summary>
    public static bool IsErrorReply(ReadOnlySpan<byte> first, string buildId)
    {
        foreach (var line in RepliesFor(buildId))
        {
            var bytes = Encoding.ASCII.GetBytes(line);
            var compared = Math.Min(first.Length, bytes.Length);
            if (compared >= Math.Min(LeastCompared, bytes.Length) && first[..compared].SequenceEqual(bytes.AsSpan(0, compared)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every line a hop may send instead of a build's log (the refusal's target varies: its fixed start stands for it).</summary>
    private static IEnumerable<string> RepliesFor(string id) =>
    [
        BuildNotFound(id), BuildNotStarted(id), LogNotFound(id), ResolutionFailed(id), ExecutorNotAllowed(id),
        UpstreamUnreachable(id, true), UpstreamUnreachable(id, false), Prefix(Refused(id, "\0")), Prefix(NoGatewayInZone(id, "\0")),
        TooManyConnections, TooManyConnectionsFromClient, ShuttingDown, InvalidBuildId(id),
    ];

    /// <summary>The fixed start of a line whose variable part (a target, a zone) was given as <c>\0</c>.</summary>
    private static string Prefix(string line) => line[..line.IndexOf('\0')];
}
