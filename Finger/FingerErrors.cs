namespace Zuul.LiveLog.Finger;

/// <summary>The one-line error texts of the finger protocol. Zuul's exact wording is kept: scripts grep for it.</summary>
public static class FingerErrors
{
    public static string InvalidBuildId(string rawId) => $"Build ID {rawId} is not valid\n";

    public static string BuildNotFound(string id) => $"Build ID {id} not found\n";

    public static string LogNotFound(string id) => $"Log not found for build ID {id}\n";

    public const string LineTooLong = "Request line too long\n";

    public const string RequestTimeout = "Timed out waiting for the request line\n";

    /// <summary>The listener holds its maximum of connections (ours; Zuul has no limit).</summary>
    public const string TooManyConnections = "Too many connections, try again later\n";

    /// <summary>The client's address holds its maximum of connections (ours).</summary>
    public const string TooManyConnectionsFromClient = "Too many connections from your address, try again later\n";
}
