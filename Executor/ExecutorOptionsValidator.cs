using System.Net;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Executor;

/// <summary>Checks <see cref="ExecutorOptions"/> and reports every problem at once.</summary>
public sealed class ExecutorOptionsValidator : IValidateOptions<ExecutorOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutorOptions options)
    {
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every problem with <paramref name="o"/>, each naming its configuration key.</summary>
    public static IReadOnlyList<string> Collect(ExecutorOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.JobRoot))
        {
            if (!o.Demo)
            {
                errors.Add("Executor:JobRoot is required (Zuul's job directory root), unless Executor:Demo is true.");
            }
        }
        else if (o.JobRoot.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add($"Executor:JobRoot '{o.JobRoot}' is not a valid path.");
        }
        else if (File.Exists(o.JobRoot))
        {
            errors.Add($"Executor:JobRoot '{o.JobRoot}' is a file, not a directory.");
        }

        if (o.LogStreamPort is < 0 or > 65535)
        {
            errors.Add($"Executor:LogStreamPort must be 0..65535 (got {o.LogStreamPort}).");
        }

        if (!TryParseListenAddress(o.ListenAddress, out _))
        {
            errors.Add($"Executor:ListenAddress '{o.ListenAddress}' is not an IP address (or '*', 'localhost').");
        }

        if (o.Hostname is { } host && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            errors.Add($"Executor:Hostname '{host}' is not a valid host name or address.");
        }

        if (o.RequestTimeout <= TimeSpan.Zero || o.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Executor:RequestTimeout must be more than 0 and at most 5 minutes (got {o.RequestTimeout}).");
        }

        errors.AddRange(o.Limits.Validate(ExecutorOptions.SectionName, nameof(o.MaxConnections), nameof(o.MaxConnectionsPerClient)));

        if (o.FollowRecheckInterval < TimeSpan.FromMilliseconds(10) || o.FollowRecheckInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Executor:FollowRecheckInterval must be 10 ms..1 minute (got {o.FollowRecheckInterval}).");
        }

        if (o.JobRootScanInterval < TimeSpan.FromMilliseconds(10) || o.JobRootScanInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Executor:JobRootScanInterval must be 10 ms..10 minutes (got {o.JobRootScanInterval}).");
        }

        if (o.LeaseDuration < TimeSpan.FromSeconds(1) || o.LeaseDuration > TimeSpan.FromHours(1))
        {
            errors.Add($"Executor:LeaseDuration must be 1 s..1 hour (got {o.LeaseDuration}).");
        }

        if (o.RegistrationQueueLimit is < 1 or > 1_000_000)
        {
            errors.Add($"Executor:RegistrationQueueLimit must be 1..1000000 (got {o.RegistrationQueueLimit}).");
        }

        if (o.Demo)
        {
            if (!(o.DemoLinesPerSecond > 0 && o.DemoLinesPerSecond <= 100_000))
            {
                errors.Add($"Executor:DemoLinesPerSecond must be more than 0 and at most 100000 (got {o.DemoLinesPerSecond}).");
            }

            if (!(o.DemoBuildSeconds > 0 && o.DemoBuildSeconds <= 86_400))
            {
                errors.Add($"Executor:DemoBuildSeconds must be more than 0 and at most 86400 (got {o.DemoBuildSeconds}).");
            }

            if (o.DemoConcurrentBuilds is < 1 or > 1000)
            {
                errors.Add($"Executor:DemoConcurrentBuilds must be 1..1000 (got {o.DemoConcurrentBuilds}).");
            }

            if (o.DemoKeepFinishedBuilds is < 0 or > 100_000)
            {
                errors.Add($"Executor:DemoKeepFinishedBuilds must be 0..100000 (got {o.DemoKeepFinishedBuilds}).");
            }
        }

        if (!TenantName.IsValid(o.DefaultTenant))
        {
            errors.Add($"Executor:DefaultTenant '{o.DefaultTenant}' is not a valid tenant name ({TenantName.Rule}).");
        }

        foreach (var tenant in o.DemoTenants.Where(t => !TenantName.IsValid(t)))
        {
            errors.Add($"Executor:DemoTenants entry '{tenant}' is not a valid tenant name ({TenantName.Rule}).");
        }

        foreach (var client in o.AllowedClients)
        {
            if (!IPAddress.TryParse(client, out _) && !IPNetwork.TryParse(client, out _))
            {
                errors.Add($"Executor:AllowedClients entry '{client}' is not an IP address or CIDR network.");
            }
        }

        return errors;
    }

    /// <summary>Parses <see cref="ExecutorOptions.ListenAddress"/>.</summary>
    public static bool TryParseListenAddress(string? text, out IPAddress address)
    {
        address = IPAddress.Any;
        switch (text?.Trim())
        {
            case null or "":
                return false;
            case "*":
                return true;
            case "localhost":
                address = IPAddress.Loopback;
                return true;
            default:
                return IPAddress.TryParse(text.Trim(), out address!);
        }
    }
}
