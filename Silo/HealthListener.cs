using System.Net;

namespace Zuul.LiveLog.Silo;

/// <summary>The silo's optional HTTP listener for <c>/healthz</c>: <c>Health:Port</c> (absent = none) on <c>Health:ListenAddress</c>.</summary>
internal sealed record HealthListener(int Port, IPAddress Address)
{
    /// <summary>Reads both keys; a bad value is added to <paramref name="errors"/> (and means no listener).</summary>
    public static HealthListener? Read(IConfiguration configuration, ICollection<string> errors)
    {
        if (configuration["Health:Port"] is not { Length: > 0 } portText)
        {
            return null;
        }

        var port = int.TryParse(portText, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535 ? p : (int?)null;
        if (port is null)
        {
            errors.Add($"Health:Port must be 1..65535 (got '{portText}').");
        }

        // All addresses when unset.
        var addressText = configuration["Health:ListenAddress"] is { Length: > 0 } a ? a : "0.0.0.0";
        if (!IPAddress.TryParse(addressText, out var address))
        {
            errors.Add($"Health:ListenAddress '{addressText}' is not an IP address.");
        }

        return port is { } ok && address is not null ? new HealthListener(ok, address) : null;
    }
}
