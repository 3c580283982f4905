using System.Net;
using Microsoft.Extensions.Configuration;

namespace Zuul.LiveLog.Hosting;

/// <summary>
/// <c>Health:Port</c> and <c>Health:ListenAddress</c> of a silo or an executor: an HTTP listener of its own serving
/// <c>/healthz</c> and <c>/metrics</c>, apart from the ports the component serves users on. Absent port = none.
/// </summary>
public static class HealthPort
{
    /// <summary><c>Health:Port</c> (1..65535), null when unset; <paramref name="error"/> names a bad value.</summary>
    public static int? Read(IConfiguration configuration, out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        error = null;
        if (configuration["Health:Port"] is not { Length: > 0 } text)
        {
            return null;
        }

        if (int.TryParse(text, out var port) && port is > 0 and <= 65535)
        {
            return port;
        }

        error = $"Health:Port must be 1..65535 (got '{text}').";
        return null;
    }

    /// <summary><c>Health:ListenAddress</c>, all addresses when unset.</summary>
    public static string ListenAddress(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration["Health:ListenAddress"] is { Length: > 0 } address ? address : "0.0.0.0";
    }

    /// <summary>A bad <c>Health:ListenAddress</c>, or the port already taken; null when the listener can start.</summary>
    public static string? Check(IConfiguration configuration, int port)
    {
        var text = ListenAddress(configuration);
        return IPAddress.TryParse(text, out var address)
            ? PortAvailability.Check("Health:Port", address, port)
            : $"Health:ListenAddress must be an IP address (got '{text}').";
    }
}
