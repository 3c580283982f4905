using Microsoft.Extensions.Configuration;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Hosting;

/// <summary>The <c>ZooKeeper:*</c> section, checked together with the other start-up settings.</summary>
public static class ZooKeeperSettings
{
    /// <summary>Binds <c>ZooKeeper:*</c> onto <paramref name="options"/>.</summary>
    public static void Bind(IConfiguration configuration, ZooKeeperOptions options) =>
        configuration.GetSection(ZooKeeperOptions.Section).Bind(options);

    /// <summary>Every problem with <c>ZooKeeper:*</c>; none when ZooKeeper is not configured.</summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrEmpty(configuration["ZooKeeper:ConnectionString"]))
        {
            return [];
        }

        var options = new ZooKeeperOptions();
        var clustering = new ZooKeeperClusteringOptions();
        try
        {
            Bind(configuration, options);
            configuration.GetSection(ZooKeeperOptions.Section + ":Clustering").Bind(clustering);
        }
        catch (InvalidOperationException ex)
        {
            return [$"ZooKeeper: {ex.Message}"];
        }

        // The zone has one key, Zone (clients: Cluster:Zone); binding the clustering section would let this one
        // silently replace it.
        string[] zoneKey = string.IsNullOrEmpty(configuration[ZooKeeperOptions.Section + ":Clustering:Zone"]) ? [] :
            ["ZooKeeper:Clustering:Zone is not a setting: a process's zone is Zone (a client's cluster zone: Cluster:Zone)."];
        return [.. ZooKeeperOptionsValidator.Errors(options), .. ZooKeeperClusteringOptionsValidator.Errors(clustering), .. zoneKey];
    }
}
