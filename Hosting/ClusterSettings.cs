namespace Zuul.LiveLog.Hosting;

/// <summary>How a process reaches the Orleans cluster. Bound from the configuration root
/// (<c>Zone</c>, <c>Cluster:Id</c>, <c>Orleans:*</c>, <c>ZooKeeper:ConnectionString</c>).</summary>
public sealed class ClusterSettings
{
    /// <summary>Orleans cluster id (<c>Cluster:Id</c>).</summary>
    public string ClusterId { get; set; } = "orleans-zuul";

    /// <summary>Service id; stable across deployments.</summary>
    public string ServiceId { get; set; } = "orleans-zuul";

    /// <summary>ZooKeeper connection string; absent = embedded localhost clustering.</summary>
    public string? ZooKeeperConnectionString { get; set; }

    /// <summary>Silo-to-silo port (<c>Orleans:SiloPort</c>).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port (<c>Orleans:GatewayPort</c>).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Without ZooKeeper: the silo the others join (<c>Orleans:PrimarySiloEndpoint</c>, <c>host:port</c>);
    /// absent = this silo is the primary. Lets several silos form one cluster with the embedded default.
    /// </summary>
    public System.Net.IPEndPoint? PrimarySiloEndpoint { get; set; }

    /// <summary>This process's zone (<c>Zone</c>); null = un-zoned.</summary>
    public string? Zone { get; set; }

    /// <summary>
    /// The zone whose Orleans cluster this process belongs to (<c>Cluster:Zone</c>); null = <see cref="Zone"/>. Lets an
    /// un-zoned client (an executor in the public network) use the cluster of the zone it sits in. Silos always belong
    /// to their own zone's cluster.
    /// </summary>
    public string? ClusterZone { get; set; }

    /// <summary>
    /// The Orleans cluster id this process uses. With ZooKeeper every zone is its own cluster,
    /// <c>&lt;Cluster:Id&gt;@&lt;zone&gt;</c> (un-zoned: <c>Cluster:Id</c>), so silos of different zones never connect to
    /// each other; they share builds and gateways through ZooKeeper. Without ZooKeeper there is no shared store, so
    /// every silo forms one cluster, <c>Cluster:Id</c>, whatever its zone.
    /// </summary>
    public string OrleansClusterId =>
        ZooKeeperConnectionString is not null && (ClusterZone ?? Zone) is { } zone ? $"{ClusterId}{ZoneSeparator}{zone}" : ClusterId;

    /// <summary>Separates <c>Cluster:Id</c> from the zone in <see cref="OrleansClusterId"/>; never part of a zone name.</summary>
    public const char ZoneSeparator = '@';

    public static ClusterSettings FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var settings = new ClusterSettings();
        settings.ClusterId = configuration["Cluster:Id"] is { Length: > 0 } id ? id : settings.ClusterId;
        settings.ServiceId = configuration["Cluster:ServiceId"] is { Length: > 0 } sid ? sid : settings.ServiceId;
        settings.ZooKeeperConnectionString = configuration["ZooKeeper:ConnectionString"] is { Length: > 0 } zk ? zk : null;
        settings.Zone = configuration["Zone"] is { Length: > 0 } zone ? zone : null;
        settings.ClusterZone = configuration["Cluster:Zone"] is { Length: > 0 } clusterZone ? clusterZone : null;
        settings.SiloPort = settings.ReadPort(configuration, "Orleans:SiloPort", settings.SiloPort);
        settings.GatewayPort = settings.ReadPort(configuration, "Orleans:GatewayPort", settings.GatewayPort);
        if (configuration["Orleans:PrimarySiloEndpoint"] is { Length: > 0 } primary)
        {
            settings.PrimarySiloEndpoint = System.Net.IPEndPoint.TryParse(primary, out var ep) ? ep : InvalidEndpoint;
        }

        return settings;
    }

    /// <summary>Every problem with these settings, for one start-up error that lists them all.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(_parseErrors);
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            errors.Add("Cluster:Id must not be empty.");
        }

        if (SiloPort is < 0 or > 65535)
        {
            errors.Add($"Orleans:SiloPort must be 0..65535 (got {SiloPort}).");
        }

        if (GatewayPort is < 0 or > 65535)
        {
            errors.Add($"Orleans:GatewayPort must be 0..65535 (got {GatewayPort}).");
        }

        if (ReferenceEquals(PrimarySiloEndpoint, InvalidEndpoint))
        {
            errors.Add("Orleans:PrimarySiloEndpoint must be an IP address and port, e.g. 127.0.0.1:11111.");
        }

        foreach (var (key, value) in new[] { ("Zone", Zone), ("Cluster:Zone", ClusterZone) })
        {
            if (value is { } z && !ZoneName.IsValid(z))
            {
                errors.Add($"{key} '{z}' must be {ZoneName.Rule}.");
            }
        }

        return errors;
    }

    private static readonly System.Net.IPEndPoint InvalidEndpoint = new(System.Net.IPAddress.None, 0);

    private readonly List<string> _parseErrors = [];

    private int ReadPort(Microsoft.Extensions.Configuration.IConfiguration configuration, string key, int fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            return port;
        }

        // Reported by Validate with the key's name and the value as given.
        _parseErrors.Add($"{key} must be a port number 0..65535 (got '{text}').");
        return fallback;
    }
}
