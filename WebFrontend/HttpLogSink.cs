using System.IO.Pipelines;
using Zuul.LiveLog.Finger.Sharing;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// The HTTP log response on a shared stream: the window's bytes straight into the response's pipe, as they are, but
/// only whole characters until the log ends, so that wherever the response is cut the websocket can go on.
/// </summary>
internal sealed class HttpLogSink(PipeWriter body) : IStreamSink
{
    private const int PieceSize = 64 * 1024;

    public bool SendsInline => false;

    public SinkProgress TrySend(LogWindow window, long from, long to) => throw new NotSupportedException("a response is written by its subscription's task");

    public SinkProgress TrySend(ReadOnlySpan<byte> bytes) => throw new NotSupportedException("a response is written by its subscription's task");

    public async ValueTask<SinkProgress> SendAsync(LogWindow window, long from, long to, bool final, CancellationToken cancellationToken)
    {
        long taken = 0;
        while (from < to)
        {
            var memory = body.GetMemory(PieceSize);
            var n = window.Read(from, memory.Span[..(int)Math.Min(memory.Length, to - from)]);
            if (n < 0)
            {
                return new(taken, SinkStatus.Dropped);
            }

            var complete = final && from + n == to ? n : Utf8Boundary.CompleteLength(memory.Span[..n]);
            if (complete == 0)
            {
                return new(taken, SinkStatus.NeedMore);
            }

            body.Advance(complete);
            taken += complete;
            from += complete;
            var flush = await body.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return new(taken, SinkStatus.Gone);
            }
        }

        return new(taken, SinkStatus.Taken);
    }

    public async ValueTask<SinkProgress> SendAsync(ReadOnlyMemory<byte> bytes, bool final, CancellationToken cancellationToken)
    {
        var complete = final ? bytes.Length : Utf8Boundary.CompleteLength(bytes.Span);
        if (complete > 0)
        {
            var flush = await body.WriteAsync(bytes[..complete], cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return new(0, SinkStatus.Gone);
            }
        }

        return new(complete, complete < bytes.Length ? SinkStatus.NeedMore : SinkStatus.Taken);
    }
}
