using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Zuul.LiveLog.Finger.Splice;
using static Zuul.LiveLog.Finger.Splice.LinuxSyscalls;

namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>
/// The bytes of one build's stream received so far, or the newest of them, in a Linux memory file (<c>memfd</c>):
/// written once from the upstream (a plain upstream socket is spliced in, so the bytes are copied once, inside the
/// kernel), read by every client at its own offset — <c>sendfile(2)</c> to plain sockets (no copy to user space),
/// <c>pread</c> for TLS, websockets and HTTP. Offsets are the log's; bytes before <see cref="Start"/> were dropped to keep
/// the window bounded (the file is sparse: they take no memory).
/// </summary>
/// <remarks>
/// One writer (the stream's reader) appends at <see cref="End"/>; readers read below it. Dropping bytes punches a hole,
/// which must not happen under a read of them: reads hold a read lock for the length of their (non-blocking) system
/// call, and the hole is punched only when the lock is free, else on a later append.
/// </remarks>
public sealed class LogWindow : IDisposable
{
    /// <summary>Holes are punched in steps of this many bytes (fewer calls; at most this much more memory held).</summary>
    private const long PunchStep = 1 << 20;
    private const int CopySize = 64 * 1024;

    private readonly SafeFileHandle _file;
    private readonly ReaderWriterLockSlim _dropping = new(LockRecursionPolicy.NoRecursion);
    private long _start;
    private long _end;
    private long _punched;

    private LogWindow(SafeFileHandle file) => _file = file;

    /// <summary>Memory files exist on Linux only; elsewhere streams are not shared.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The first byte still held.</summary>
    public long Start => Volatile.Read(ref _start);

    /// <summary>Bytes received so far (the offset the next byte gets).</summary>
    public long End => Volatile.Read(ref _end);

    /// <summary>Bytes held: what counts against the memory bounds.</summary>
    public long Size => End - Start;

    public static LogWindow Create()
    {
        var fd = MemfdCreate("orleans-zuul-log", MfdCloExec);
        if (fd < 0)
        {
            throw Failure("creating a memory file", Marshal.GetLastPInvokeError());
        }

        return new LogWindow(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>
    /// Appends what the upstream has now (waiting for it first): bytes appended, 0 at the upstream's end. Upstream
    /// failures are thrown. Only the stream's reader calls this.
    /// </summary>
    internal async ValueTask<int> AppendAsync(Stream upstream, KernelPipePool pipes, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Wait for data (or the end) without holding a buffer or a pipe.
            await upstream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            int n;
            if (upstream is NetworkStream plain && pipes.Rent() is { } pipe)
            {
                var empty = false;
                try
                {
                    n = SpliceIn(plain.Socket, pipe);
                    empty = true;
                }
                finally
                {
                    pipes.Return(pipe, empty);
                }

                if (n < 0)
                {
                    continue; // woken without data (it went to nobody else: the socket is ours); wait again
                }
            }
            else
            {
                n = await CopyInAsync(upstream, cancellationToken).ConfigureAwait(false);
            }

            if (n > 0)
            {
                Volatile.Write(ref _end, _end + n);
            }

            return n;
        }
    }

    /// <summary>Upstream socket -> pipe -> file, inside the kernel: bytes moved, 0 at the end, -1 when nothing was there.</summary>
    private int SpliceIn(Socket upstream, KernelPipe pipe)
    {
        var added = false;
        try
        {
            upstream.SafeHandle.DangerousAddRef(ref added);
            var socketFd = (int)upstream.SafeHandle.DangerousGetHandle();
            nint n;
            do
            {
                n = LinuxSyscalls.Splice(socketFd, 0, pipe.WriteFd, 0, (nuint)pipe.Capacity, SpliceMove | SpliceNonBlock);
            }
            while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);

            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno == EAGAIN ? -1 : throw Failure("reading the upstream", errno);
            }

            var offset = _end;
            var left = n;
            while (left > 0)
            {
                var m = SpliceToFile(pipe.ReadFd, ref offset, left);
                if (m < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    throw Failure("writing the memory file", errno);
                }

                left -= m;
            }

            return (int)n;
        }
        finally
        {
            if (added)
            {
                upstream.SafeHandle.DangerousRelease();
            }
        }
    }

    private unsafe nint SpliceToFile(int pipeFd, ref long offset, nint count)
    {
        fixed (long* at = &offset)
        {
            return LinuxSyscalls.Splice(pipeFd, 0, (int)_file.DangerousGetHandle(), (nint)at, (nuint)count, SpliceMove);
        }
    }

    /// <summary>TLS upstreams (and no pipe to borrow): decrypted into a pooled buffer, written to the file.</summary>
    private async ValueTask<int> CopyInAsync(Stream upstream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopySize);
        try
        {
            var n = await upstream.ReadAsync(buffer.AsMemory(0, CopySize), cancellationToken).ConfigureAwait(false);
            if (n > 0)
            {
                RandomAccess.Write(_file, buffer.AsSpan(0, n), _end);
            }

            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies bytes from <paramref name="offset"/> into <paramref name="buffer"/>: bytes copied, or -1 when they were dropped.</summary>
    public int Read(long offset, Span<byte> buffer)
    {
        _dropping.EnterReadLock();
        try
        {
            if (offset < _start)
            {
                return -1;
            }

            var count = (int)Math.Min(buffer.Length, End - offset);
            return count <= 0 ? 0 : RandomAccess.Read(_file, buffer[..count], offset);
        }
        finally
        {
            _dropping.ExitReadLock();
        }
    }

    /// <summary>
    /// <c>sendfile(2)</c> of bytes [<paramref name="offset"/>, <paramref name="end"/>) to a non-blocking socket, as much as
    /// it takes now: bytes sent (0 when its buffer is full), <see cref="Dropped"/> when the bytes are gone,
    /// <see cref="SocketGone"/> when the socket failed.
    /// </summary>
    public long SendTo(Socket socket, long offset, long end)
    {
        var added = false;
        _dropping.EnterReadLock();
        try
        {
            if (offset < _start)
            {
                return Dropped;
            }

            socket.SafeHandle.DangerousAddRef(ref added);
            var socketFd = (int)socket.SafeHandle.DangerousGetHandle();
            var fileFd = (int)_file.DangerousGetHandle();
            var at = offset;
            while (at < end)
            {
                var n = SendFile(socketFd, fileFd, ref at, (nuint)Math.Min(end - at, 1 << 30));
                if (n > 0)
                {
                    continue; // sendfile advanced 'at'
                }

                var errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno == EAGAIN || n == 0)
                {
                    break;
                }

                return at > offset ? at - offset : SocketGone;
            }

            return at - offset;
        }
        catch (ObjectDisposedException)
        {
            return SocketGone;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }

            _dropping.ExitReadLock();
        }
    }

    public const long Dropped = -1;
    public const long SocketGone = -2;

    /// <summary>Drops the bytes before <paramref name="start"/>; their memory is given back when no read is under way (now, or at a later drop).</summary>
    public void DropBefore(long start)
    {
        if (start > _start)
        {
            Volatile.Write(ref _start, start);
        }

        var punchTo = _start / PunchStep * PunchStep;
        if (punchTo <= _punched || !_dropping.TryEnterWriteLock(0))
        {
            return;
        }

        try
        {
            if (Fallocate((int)_file.DangerousGetHandle(), FallocPunchHole | FallocKeepSize, _punched, punchTo - _punched) == 0)
            {
                _punched = punchTo;
            }
        }
        finally
        {
            _dropping.ExitWriteLock();
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        _dropping.Dispose();
    }

    private static IOException Failure(string what, int errno) =>
        new($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
