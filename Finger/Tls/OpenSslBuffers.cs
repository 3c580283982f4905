using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Zuul.LiveLog.Finger.Tls;

/// <summary>
/// Asks OpenSSL to free a TLS connection's record buffers (about 16 KiB each way) whenever they are empty
/// (<c>SSL_MODE_RELEASE_BUFFERS</c>, which nginx always sets): an idle TLS stream then holds about 35 KiB less.
/// .NET neither sets nor exposes the mode, so the <c>SSL*</c> is taken from <see cref="SslStream"/>'s private context
/// field and <c>SSL_ctrl</c> is called in the very libssl the runtime mapped. Anything unexpected (another runtime's
/// layout, no libssl mapped, a handle that is not a TLS connection) leaves the stream as it was.
/// </summary>
public static unsafe class OpenSslBuffers
{
    private const int SslCtrlMode = 33;
    private const long SslModeReleaseBuffers = 0x10;

    private static readonly FieldInfo? ContextField =
        OperatingSystem.IsLinux() ? typeof(SslStream).GetField("_securityContext", BindingFlags.NonPublic | BindingFlags.Instance) : null;

    // Looked up on first use, which follows a handshake: the runtime loads libssl lazily, with its first TLS connection.
    private static readonly Lazy<(nint Ctrl, nint Version)> Functions = new(Load);

    /// <summary>Whether <see cref="TryRelease"/> can work in this process (ask after a TLS connection was made).</summary>
    public static bool IsSupported => ContextField is not null && Functions.Value.Ctrl != 0;

    /// <summary>Sets the mode on an authenticated <paramref name="stream"/>; false when it could not.</summary>
    public static bool TryRelease(SslStream stream) => TryControl(stream, SslModeReleaseBuffers, out _);

    /// <summary>The OpenSSL mode bits of <paramref name="stream"/>'s connection (for tests and diagnostics); null when unknown.</summary>
    public static long? Mode(SslStream stream) => TryControl(stream, 0, out var mode) ? mode : null;

    private static bool TryControl(SslStream stream, long add, out long mode)
    {
        mode = 0;
        if (!IsSupported || ContextField!.GetValue(stream) is not SafeHandle { IsInvalid: false, IsClosed: false } context)
        {
            return false;
        }

        var added = false;
        try
        {
            context.DangerousAddRef(ref added);
            var ssl = context.DangerousGetHandle();
            // SSL_version answers 0x0301..0x0304 for a TLS connection; anything else means this is not an SSL*.
            var version = ((delegate* unmanaged<nint, int>)Functions.Value.Version)(ssl);
            if (version is < 0x0301 or > 0x0304)
            {
                return false;
            }

            mode = ((delegate* unmanaged<nint, int, long, nint, long>)Functions.Value.Ctrl)(ssl, SslCtrlMode, add, 0);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                context.DangerousRelease();
            }
        }
    }

    /// <summary>SSL_ctrl and SSL_version from the libssl already mapped into this process (the runtime's), never another one.</summary>
    private static (nint, nint) Load()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (0, 0);
        }

        string? path;
        try
        {
            path = File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(parts => parts.Length >= 6 && Path.GetFileName(parts[5]).StartsWith("libssl.so", StringComparison.Ordinal))
                .Select(parts => parts[5])
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return (0, 0);
        }

        if (path is null || !NativeLibrary.TryLoad(path, out var library))
        {
            return (0, 0);
        }

        return NativeLibrary.TryGetExport(library, "SSL_ctrl", out var ctrl) && NativeLibrary.TryGetExport(library, "SSL_version", out var version)
            ? (ctrl, version)
            : (0, 0);
    }
}
