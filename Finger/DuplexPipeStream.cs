using System.IO.Pipelines;
using System.Net.Sockets;

namespace Zuul.LiveLog.Finger;

/// <summary>
/// A connection's pipes as one stream, so an <see cref="System.Net.Security.SslStream"/> can sit on top. With the
/// connection's <paramref name="socket"/>, writes go to it directly (TLS records skip a copy into the output pipe and
/// the transport's send loop); then nothing else may write to the connection.
/// </summary>
internal sealed class DuplexPipeStream(IDuplexPipe pipe, Socket? socket = null) : Stream
{
    private readonly Stream _input = pipe.Input.AsStream(leaveOpen: true);
    private readonly Stream _output = pipe.Output.AsStream(leaveOpen: true);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        socket is null ? _output.WriteAsync(buffer, cancellationToken) : SendAsync(socket, buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => socket is null ? _output.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (socket is null)
        {
            _output.Write(buffer, offset, count);
            return;
        }

        for (var sent = 0; sent < count;)
        {
            sent += socket.Send(buffer, offset + sent, count - sent, SocketFlags.None);
        }
    }

    public override void Flush()
    {
        if (socket is null)
        {
            _output.Flush();
        }
    }

    private static async ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAllAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            // Stream users (SslStream, the relay) expect an IOException when the peer is gone, as from the pipe.
            throw new IOException(ex.Message, ex);
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
