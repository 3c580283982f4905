using System.IO.Pipelines;

namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>
/// A client written through a pipe (a finger client behind TLS, any transport pipe, an HTTP response): bytes are read
/// from the memory file straight into the pipe's memory, by the client's subscription task.
/// </summary>
public class PipeSink(PipeWriter output) : IStreamSink
{
    private const int PieceSize = 64 * 1024;

    public async ValueTask<SinkProgress> SendAsync(LogWindow window, long from, long to, bool final, CancellationToken cancellationToken)
    {
        long taken = 0;
        while (from < to)
        {
            var memory = output.GetMemory((int)Math.Min(PieceSize, to - from));
            var n = window.Read(from, memory.Span[..(int)Math.Min(memory.Length, to - from)]);
            if (n < 0)
            {
                return new(taken, SinkStatus.Dropped);
            }

            var complete = final && from + n == to ? n : Complete(memory.Span[..n]);
            if (complete == 0)
            {
                return new(taken, SinkStatus.NeedMore);
            }

            output.Advance(complete);
            taken += complete;
            from += complete;
            var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return new(taken, SinkStatus.Gone);
            }
        }

        return new(taken, SinkStatus.Taken);
    }

    public async ValueTask<SinkProgress> SendAsync(ReadOnlyMemory<byte> bytes, bool final, CancellationToken cancellationToken)
    {
        var complete = final ? bytes.Length : Complete(bytes.Span);
        if (complete > 0)
        {
            var flush = await output.WriteAsync(bytes[..complete], cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return new(0, SinkStatus.Gone);
            }
        }

        return new(complete, complete < bytes.Length ? SinkStatus.NeedMore : SinkStatus.Taken);
    }

    /// <summary>How many of <paramref name="bytes"/> may go now, before the log's end: all of them (finger is bytes).</summary>
    protected virtual int Complete(ReadOnlySpan<byte> bytes) => bytes.Length;
}
