namespace Zuul.LiveLog.Streams;

/// <summary>Why a build's stream could not be opened; each maps to one line the user sees.</summary>
public enum StreamFailure
{
    None,
    BuildNotFound,
    BuildNotStarted,
    UpstreamUnreachable,
    NoGatewayInZone,
    ResolutionFailed,
    ExecutorNotAllowed,
}
