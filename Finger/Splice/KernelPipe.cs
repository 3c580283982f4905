namespace Zuul.LiveLog.Finger.Splice;

/// <summary>A non-blocking kernel pipe, the in-kernel buffer between two <c>splice(2)</c> calls.</summary>
internal sealed class KernelPipe : IDisposable
{
    private KernelPipe(int readFd, int writeFd, int capacity)
    {
        ReadFd = readFd;
        WriteFd = writeFd;
        Capacity = capacity;
    }

    public int ReadFd { get; }

    public int WriteFd { get; }

    /// <summary>Bytes the pipe holds at most (what one splice into it may move).</summary>
    public int Capacity { get; }

    /// <summary>Creates a pipe of (up to) <paramref name="capacity"/> bytes; null when the process is out of descriptors.</summary>
    public static KernelPipe? TryCreate(int capacity)
    {
        Span<int> fds = stackalloc int[2];
        if (LinuxSyscalls.Pipe2(fds, LinuxSyscalls.ONonBlock | LinuxSyscalls.OCloExec) != 0)
        {
            return null;
        }

        // Larger than the 64 KiB default means fewer calls per megabyte; refused above pipe-max-size (then keep the default).
        var size = LinuxSyscalls.Fcntl(fds[1], LinuxSyscalls.FSetPipeSize, capacity);
        return new KernelPipe(fds[0], fds[1], size > 0 ? size : 64 * 1024);
    }

    public void Dispose()
    {
        LinuxSyscalls.Close(ReadFd);
        LinuxSyscalls.Close(WriteFd);
    }
}
