using System.Net.Sockets;
using System.Runtime.InteropServices;
using Zuul.LiveLog.Finger.Splice;

namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>
/// A plaintext finger client's socket: bytes go from the memory file with <c>sendfile(2)</c>, never through user space,
/// and the stream's reader sends to idle followers itself. When the client's socket buffer is full, the next byte goes
/// through the runtime's asynchronous send, which waits for room: a client that does not read holds one byte of ours.
/// </summary>
public sealed class SocketSink(Socket socket) : IStreamSink
{
    private readonly byte[] _one = new byte[1];

    public bool SendsInline => true;

    public SinkProgress TrySend(LogWindow window, long from, long to)
    {
        var n = window.SendTo(socket, from, to);
        return n switch
        {
            LogWindow.Dropped => new(0, SinkStatus.Dropped),
            LogWindow.SocketGone => new(0, SinkStatus.Gone),
            _ => new(n, from + n == to ? SinkStatus.Taken : SinkStatus.Full),
        };
    }

    public SinkProgress TrySend(ReadOnlySpan<byte> bytes)
    {
        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            var sent = 0;
            while (sent < bytes.Length)
            {
                var n = LinuxSyscalls.Send(fd, bytes[sent..], (nuint)(bytes.Length - sent), LinuxSyscalls.MsgDontWait | LinuxSyscalls.MsgNoSignal);
                if (n > 0)
                {
                    sent += (int)n;
                    continue;
                }

                var errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (errno == LinuxSyscalls.EINTR)
                {
                    continue;
                }

                return errno == LinuxSyscalls.EAGAIN ? new(sent, SinkStatus.Full) : sent > 0 ? new(sent, SinkStatus.Full) : new(0, SinkStatus.Gone);
            }

            return new(sent, SinkStatus.Taken);
        }
        catch (ObjectDisposedException)
        {
            return new(0, SinkStatus.Gone);
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    public async ValueTask<SinkProgress> SendAsync(LogWindow window, long from, long to, bool final, CancellationToken cancellationToken)
    {
        long taken = 0;
        while (from < to)
        {
            var step = TrySend(window, from, to);
            taken += step.Taken;
            from += step.Taken;
            if (step.Status is SinkStatus.Gone or SinkStatus.Dropped)
            {
                return new(taken, step.Status);
            }

            if (step.Status == SinkStatus.Full)
            {
                var waited = await SendOneByteAsync(window, from, cancellationToken).ConfigureAwait(false);
                if (waited.Status != SinkStatus.Taken)
                {
                    return new(taken, waited.Status);
                }

                taken++;
                from++;
            }
        }

        return new(taken, SinkStatus.Taken);
    }

    /// <summary>Waits for room in the client's socket by sending it the next byte the runtime's way.</summary>
    private async ValueTask<SinkProgress> SendOneByteAsync(LogWindow window, long from, CancellationToken cancellationToken)
    {
        if (window.Read(from, _one) < 1)
        {
            return new(0, SinkStatus.Dropped);
        }

        try
        {
            await socket.SendAllAsync(_one, cancellationToken).ConfigureAwait(false);
            return new(1, SinkStatus.Taken);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return new(0, SinkStatus.Gone);
        }
    }

    public async ValueTask<SinkProgress> SendAsync(ReadOnlyMemory<byte> bytes, bool final, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAllAsync(bytes, cancellationToken).ConfigureAwait(false);
            return new(bytes.Length, SinkStatus.Taken);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return new(0, SinkStatus.Gone);
        }
    }
}
