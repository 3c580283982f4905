using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Streams;

/// <summary>A finger stream opened for a build, or why it could not be.</summary>
public sealed record OpenedStream(Stream? Stream, StreamFailure Failure, string Message, string? Target, StreamResolutionKind? Kind)
{
    public bool Ok => Stream is not null;

    /// <summary>The build's zone, as the resolution named it.</summary>
    public string? Zone { get; init; }

    /// <summary>The hop this stream comes from, for log lines that name the hop that failed.</summary>
    public string Hop => Kind switch
    {
        StreamResolutionKind.Gateway => $"gateway {Target} of zone {Zone}",
        StreamResolutionKind.ExecutorFallback => $"executor {Target} (zone {Zone} has no gateway)",
        _ => Zone is null ? $"executor {Target}" : $"executor {Target} of zone {Zone}",
    };
}
