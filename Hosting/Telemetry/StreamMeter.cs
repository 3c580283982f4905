using System.Diagnostics;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>
/// One relaying stream's measurements: its bytes as they go (a counter add per piece, no allocation), its time to
/// first byte, and its end. Opening it counts the stream opened and active; <see cref="End"/> counts it ended.
/// </summary>
public sealed class StreamMeter : IRelayProgress
{
    private readonly ZuulMetrics _metrics;
    private readonly TagList _tags;
    private readonly long _requestedAt;
    private bool _firstByteSeen;
    private int _ended;

    internal StreamMeter(ZuulMetrics metrics, TagList tags, long requestedAt)
    {
        _metrics = metrics;
        _tags = tags;
        _requestedAt = requestedAt;
        metrics.StreamsOpened.Add(1, _tags);
        metrics.StreamsActive.Add(1, _tags);
    }

    /// <summary>Bytes sent to the client so far.</summary>
    public long Bytes { get; private set; }

    public void Relayed(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        if (!_firstByteSeen)
        {
            _firstByteSeen = true;
            _metrics.TimeToFirstByte.Record(Stopwatch.GetElapsedTime(_requestedAt).TotalSeconds, _tags);
        }

        Bytes += bytes;
        _metrics.RelayIo.Add(bytes, _tags);
    }

    /// <summary>The stream ended; only the first call counts.</summary>
    public void End(StreamEnd outcome)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _metrics.StreamsActive.Add(-1, _tags);
        var tags = _tags;
        tags.Add(ZuulMetrics.OutcomeAttribute, ZuulMetrics.Wire(outcome));
        _metrics.StreamsEnded.Add(1, tags);
    }

    /// <summary>The end of a relay, as an outcome.</summary>
    public static StreamEnd From(RelayOutcome outcome) => outcome switch
    {
        RelayOutcome.UpstreamCompleted => StreamEnd.Completed,
        RelayOutcome.ClientClosed => StreamEnd.ClientClosed,
        RelayOutcome.UpstreamFailed => StreamEnd.UpstreamFailed,
        _ => StreamEnd.Cancelled,
    };
}
