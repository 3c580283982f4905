using System.Net;
using Zuul.LiveLog.Finger.Tls;

namespace Zuul.LiveLog.Finger;

/// <summary>
/// The checks of outgoing finger connection settings, for every section that has them (<c>FingerGateway</c>,
/// <c>FingerClient</c>), so they read and fail the same way.
/// </summary>
public static class FingerConnectorValidation
{
    /// <summary>Every problem with <paramref name="connectTimeout"/>, <paramref name="resumeWindow"/>, <paramref name="localAddress"/> and <paramref name="tls"/> under <paramref name="section"/>.</summary>
    public static IReadOnlyList<string> Validate(string section, TimeSpan connectTimeout, string? localAddress, FingerTlsOptions tls, TimeSpan? resumeWindow = null)
    {
        var errors = new List<string>();
        if (resumeWindow is { } window && (window < TimeSpan.Zero || window > FingerConnectorOptions.MaxResumeWindow))
        {
            errors.Add($"{section}:ResumeWindow must be between 00:00:00 (no resuming) and {FingerConnectorOptions.MaxResumeWindow} (got {window}).");
        }

        if (connectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:ConnectTimeout must be positive (got {connectTimeout}).");
        }

        if (localAddress is { Length: > 0 } local && !IPAddress.TryParse(local, out _))
        {
            errors.Add($"{section}:LocalAddress '{local}' is not an IP address.");
        }

        errors.AddRange(FingerTlsValidation.Validate(tls, $"{section}:Tls"));
        return errors;
    }

    public static IReadOnlyList<string> Validate(string section, FingerConnectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Validate(section, options.ConnectTimeout, options.LocalAddress, options.Tls, options.ResumeWindow);
    }
}
