using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Streams;

public static class StreamFailureRejection
{
    /// <summary>How a stream that could not be opened is counted.</summary>
    public static StreamRejection ToRejection(this StreamFailure failure) => failure switch
    {
        StreamFailure.BuildNotFound => StreamRejection.BuildNotFound,
        StreamFailure.BuildNotStarted => StreamRejection.BuildNotStarted,
        StreamFailure.NoGatewayInZone => StreamRejection.NoGatewayInZone,
        StreamFailure.ResolutionFailed => StreamRejection.ResolutionFailed,
        _ => StreamRejection.UpstreamUnreachable,
    };
}
