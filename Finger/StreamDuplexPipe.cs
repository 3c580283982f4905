using System.IO.Pipelines;

namespace Zuul.LiveLog.Finger;

/// <summary>Pipes over a stream (the decrypted side of TLS), reading with zero-byte reads so idle connections hold no buffer.</summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true, useZeroByteReads: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
}
