using System.Runtime.InteropServices;

namespace Zuul.LiveLog.Finger.Splice;

/// <summary>The few Linux calls the splice relay and the shared streams' memory files need (x86_64 and arm64 share these constants).</summary>
internal static partial class LinuxSyscalls
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EPIPE = 32;
    public const int ECONNRESET = 104;

    public const uint SpliceMove = 1;
    public const uint SpliceNonBlock = 2;
    public const uint SpliceMore = 4;

    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const int FSetPipeSize = 1031;

    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;

    public const uint MfdCloExec = 1;
    public const int FallocKeepSize = 1;
    public const int FallocPunchHole = 2;

    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    public static partial nint Splice(int fdIn, nint offIn, int fdOut, nint offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(Span<int> fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, Span<byte> buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    /// <summary>Moves up to <paramref name="count"/> bytes from <paramref name="inFd"/> at <paramref name="offset"/> (advanced) to <paramref name="outFd"/>.</summary>
    [LibraryImport("libc", EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, ref long offset, nuint count);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, ReadOnlySpan<byte> buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long length);
}
