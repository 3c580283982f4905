using System.Net;
using System.Net.Sockets;

namespace Zuul.LiveLog.Hosting;

/// <summary>
/// Start-up check that a listening port is free. A silo binds its finger and health ports only after it has joined the
/// cluster, so a taken port would make it join, then crash (exit 134) with a bare "Address already in use"; checked
/// first, it is one line naming the setting, with the other start-up errors.
/// </summary>
public static class PortAvailability
{
    /// <summary>Null when <paramref name="address"/>:<paramref name="port"/> can be listened on now (port 0: any).</summary>
    public static string? Check(string key, IPAddress address, int port)
    {
        if (port is <= 0 or > 65535)
        {
            return null; // 0 = any free port; out of range is reported by the setting's own check
        }

        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            return null;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return $"{key}: {address}:{port} is already in use (another silo or gateway on this host?).";
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AccessDenied)
        {
            return $"{key}: no permission to listen on {address}:{port} (ports below 1024 need CAP_NET_BIND_SERVICE).";
        }
        catch (SocketException ex)
        {
            return $"{key}: cannot listen on {address}:{port}: {ex.Message}";
        }
    }
}
