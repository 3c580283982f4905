using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Streams;

/// <summary>A finger stream opened for a build, or why it could not be.</summary>
public sealed record OpenedStream(Stream? Stream, StreamFailure Failure, string Message, string? Target, StreamResolutionKind? Kind)
{
    public bool Ok => Stream is not null;
}
