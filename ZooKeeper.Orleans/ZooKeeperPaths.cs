namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>The layout under the chroot (see ARCHITECTURE.md).</summary>
public static class ZooKeeperPaths
{
    public const string Clusters = "/clusters";
    public const string Grains = "/grains";
    public const string FingerGateways = "/components/fingergw";

    /// <summary>Executors' liveness leases: one ephemeral sequential node per running executor process.</summary>
    public const string Executors = "/components/executor";

    /// <summary>The cluster node: its version is the membership table version.</summary>
    public static string Cluster(string clusterId) => $"{Clusters}/{Segment(clusterId)}";

    /// <summary>One silo's row: its version is the row's ETag.</summary>
    public static string Silo(string clusterId, string silo) => $"{Cluster(clusterId)}/{Segment(silo)}";

    /// <summary>The silo's IAmAlive time, written without a version check.</summary>
    public static string IAmAlive(string clusterId, string silo) => Silo(clusterId, silo) + "/iamalive";

    /// <summary>The silo's zone (UTF-8), for clients that prefer the gateways of their zone.</summary>
    public static string Zone(string clusterId, string silo) => Silo(clusterId, silo) + "/zone";

    public static string GrainType(string type) => $"{Grains}/{Segment(type)}";

    public static string Grain(string type, string key) => $"{GrainType(type)}/{Segment(key)}";

    /// <summary>A path segment: never empty, no '/', not '.'/'..'; other characters escaped.</summary>
    public static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        var escaped = Uri.EscapeDataString(value);
        return escaped is "." or ".." ? "%2E" + escaped[1..] : escaped;
    }
}
