using Microsoft.Extensions.Options;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>How this process reaches ZooKeeper (<c>ZooKeeper:*</c>).</summary>
public sealed class ZooKeeperOptions
{
    public const string Section = "ZooKeeper";

    /// <summary><c>host:port[,host:port...][/chroot]</c>; the chroot (e.g. <c>/orleans-zuul</c>) is created if missing.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The chroot used when <see cref="ConnectionString"/> has none (ARCHITECTURE.md: one chroot per deployment);
    /// empty or <c>/</c> = the server's root. A chroot in the connection string wins.
    /// </summary>
    public string Root { get; set; } = "/orleans-zuul";

    /// <summary>Requested session timeout; the server clamps it to its min/max.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Upper bound of the (jittered, doubling) delay between start-up connection attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>TLS to the servers (<c>ZooKeeper:Tls:*</c>); off unless configured.</summary>
    public ZooKeeperTlsSettings Tls { get; set; } = new();

    /// <summary>Credentials (<c>ZooKeeper:Auth:*</c>).</summary>
    public ZooKeeperAuthSettings Auth { get; set; } = new();

    /// <summary>Who owns the nodes this process creates (<c>ZooKeeper:Acl:*</c>).</summary>
    public ZooKeeperAclSettings Acl { get; set; } = new();

    /// <summary>The connection string with <see cref="Root"/> applied when it names no chroot.</summary>
    public string EffectiveConnectionString =>
        global::Zuul.LiveLog.ZooKeeper.ConnectionString.Parse(ConnectionString).Chroot is null && Root is { Length: > 1 } root
            ? ConnectionString.TrimEnd('/') + "/" + root.Trim('/')
            : ConnectionString;

    internal ZooKeeperClientOptions ToClientOptions() => new()
    {
        ConnectionString = EffectiveConnectionString,
        SessionTimeout = SessionTimeout,
        ConnectTimeout = ConnectTimeout,
        Tls = Tls.ToClientOptions(),
        Credentials = Auth.ToCredentials(),
        DefaultAcl = DeploymentAcl.For(this),
    };
}

/// <summary>Reports every bad <see cref="ZooKeeperOptions"/> setting at once.</summary>
public sealed class ZooKeeperOptionsValidator : IValidateOptions<ZooKeeperOptions>
{
    public ValidateOptionsResult Validate(string? name, ZooKeeperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Errors(ZooKeeperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("ZooKeeper:ConnectionString must not be empty.");
        }
        else
        {
            try
            {
                _ = ConnectionString.Parse(options.ConnectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                errors.Add($"ZooKeeper:ConnectionString '{options.ConnectionString}' is invalid: {ex.Message}");
            }
        }

        if (options.Root is { Length: > 0 } root && (!root.StartsWith('/') || root.Contains("//", StringComparison.Ordinal) || (root.Length > 1 && root.EndsWith('/'))))
        {
            errors.Add($"ZooKeeper:Root must be an absolute ZooKeeper path such as /orleans-zuul (got '{root}').");
        }

        if (options.SessionTimeout < TimeSpan.FromMilliseconds(500) || options.SessionTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"ZooKeeper:SessionTimeout must be between 00:00:00.5 and 00:05:00 (got {options.SessionTimeout}).");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ZooKeeper:ConnectTimeout must be positive (got {options.ConnectTimeout}).");
        }

        if (options.MaxRetryDelay <= TimeSpan.Zero)
        {
            errors.Add($"ZooKeeper:MaxRetryDelay must be positive (got {options.MaxRetryDelay}).");
        }

        errors.AddRange(DeploymentAcl.Errors(options));
        return errors;
    }
}
