using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Zuul.LiveLog.Hosting;

/// <summary>
/// The optional HTTP listener of a silo or an executor for <c>/healthz</c> and <c>/metrics</c>, apart from the ports
/// the component serves users on: <c>Health:Port</c> (absent = none) on <c>Health:ListenAddress</c> (all addresses
/// when unset).
/// </summary>
public sealed record HealthListener(int Port, IPAddress Address)
{
    /// <summary>Reads both keys; a bad value is added to <paramref name="errors"/> (and means no listener).</summary>
    public static HealthListener? Read(IConfiguration configuration, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        if (configuration["Health:Port"] is not { Length: > 0 } portText)
        {
            return null;
        }

        var port = int.TryParse(portText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535 ? p : (int?)null;
        if (port is null)
        {
            errors.Add($"Health:Port must be 1..65535 (got '{portText}').");
        }

        var addressText = configuration["Health:ListenAddress"] is { Length: > 0 } a ? a : "0.0.0.0";
        if (!IPAddress.TryParse(addressText, out var address))
        {
            errors.Add($"Health:ListenAddress '{addressText}' is not an IP address.");
        }

        return port is { } ok && address is not null ? new HealthListener(ok, address) : null;
    }

    /// <summary>The port already taken by another process; null when the listener can start.</summary>
    public string? CheckAvailable() => PortAvailability.Check("Health:Port", Address, Port);

    /// <summary>The host filter that keeps <c>/healthz</c> and <c>/metrics</c> on this listener only.</summary>
    public string RequiredHost => "*:" + Port.ToString(CultureInfo.InvariantCulture);
}
