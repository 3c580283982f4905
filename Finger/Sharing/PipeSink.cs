using System.IO.Pipelines;

namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>A finger client behind TLS (or any transport pipe): bytes are read from the memory file straight into the pipe's memory.</summary>
public sealed class PipeSink(PipeWriter output) : IStreamSink
{
    private const int PieceSize = 64 * 1024;

    public bool SendsInline => false;

    public SinkProgress TrySend(LogWindow window, long from, long to) => throw new NotSupportedException("a pipe is written by its subscription's task");

    public SinkProgress TrySend(ReadOnlySpan<byte> bytes) => throw new NotSupportedException("a pipe is written by its subscription's task");

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

            output.Advance(n);
            taken += n;
            from += n;
            var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted)
            {
                return new(taken, SinkStatus.Gone);
            }
        }

        return new(taken, SinkStatus.Taken);
    }

    public async ValueTask<SinkProgress> SendAsync(ReadOnlyMemory<byte> bytes, bool final, CancellationToken cancellationToken)
    {
        var flush = await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        return flush.IsCompleted ? new(0, SinkStatus.Gone) : new(bytes.Length, SinkStatus.Taken);
    }
}
