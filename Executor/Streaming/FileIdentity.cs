using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Device and inode of a file, so a follower notices that its path now names another file (log replaced).
/// Linux/glibc only (the first two fields of <c>struct stat</c> are <c>st_dev</c>, <c>st_ino</c> on 64-bit Linux);
/// elsewhere <see cref="TryGet(string, out FileIdentity)"/> returns false and callers fall back to size checks.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int StatBufferSize = 256;
    private static readonly bool Supported = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>One <c>struct stat</c> buffer per thread: followers check identity on every wake, without allocating.</summary>
    [ThreadStatic]
    private static byte[]? t_buffer;

    public static bool TryGet(string path, out FileIdentity identity)
    {
        identity = default;
        if (!Supported)
        {
            return false;
        }

        var buffer = t_buffer ??= new byte[StatBufferSize];
        try
        {
            if (stat(path, buffer) != 0)
            {
                return false;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }

        identity = FromBuffer(buffer);
        return true;
    }

    public static bool TryGet(SafeFileHandle handle, out FileIdentity identity)
    {
        identity = default;
        if (!Supported)
        {
            return false;
        }

        var buffer = t_buffer ??= new byte[StatBufferSize];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (fstat((int)handle.DangerousGetHandle(), buffer) != 0)
            {
                return false;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        identity = FromBuffer(buffer);
        return true;
    }

    private static FileIdentity FromBuffer(byte[] buffer) =>
        new(BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8));

#pragma warning disable SYSLIB1054 // a plain DllImport keeps this free of unsafe code
    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int stat(string path, [Out] byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int fstat(int fd, [Out] byte[] buffer);
#pragma warning restore SYSLIB1054
}
