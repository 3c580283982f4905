using System.Net;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Hosting.Connections;

namespace Zuul.LiveLog.Silo;

/// <summary>Reports every bad gateway setting at once.</summary>
internal sealed class FingerGatewayOptionsValidator : IValidateOptions<FingerGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, FingerGatewayOptions options)
    {
        var errors = FingerGatewayValidation.Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>The checks behind <see cref="FingerGatewayOptionsValidator"/>, callable before the host exists.</summary>
public static class FingerGatewayValidation
{
    /// <summary>The longest drain accepted: with Orleans' own stop (a few seconds) the silo still stops within 30 s.</summary>
    public static readonly TimeSpan MaxDrainTime = TimeSpan.FromSeconds(20);

    public static IReadOnlyList<string> Validate(FingerGatewayOptions options)
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            errors.Add($"FingerGateway:ListenAddress '{options.ListenAddress}' is not an IP address.");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"FingerGateway:Port must be 0..65535 (got {options.Port}).");
        }

        if (options.PublicPort is < 1 or > 65535)
        {
            errors.Add($"FingerGateway:PublicPort must be 1..65535 (got {options.PublicPort}).");
        }

        if (string.IsNullOrWhiteSpace(options.Hostname) || Uri.CheckHostName(options.Hostname) == UriHostNameType.Unknown)
        {
            errors.Add($"FingerGateway:Hostname '{options.Hostname}' is not a valid host name.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add("FingerGateway:RequestTimeout must be positive.");
        }

        errors.AddRange(options.Limits.Validate(FingerGatewayOptions.Section, nameof(options.MaxConnections), nameof(options.MaxConnectionsPerClient)));
        if (options.DrainTime < TimeSpan.Zero || options.DrainTime > MaxDrainTime)
        {
            errors.Add($"FingerGateway:DrainTime must be between 00:00:00 and {MaxDrainTime} (got {options.DrainTime}): the whole stop must fit a 30 s grace period.");
        }

        errors.AddRange(FingerConnectorValidation.Validate(FingerGatewayOptions.Section, options.ConnectTimeout, options.LocalAddress, options.Tls, options.ResumeWindow));
        return errors;
    }
}
