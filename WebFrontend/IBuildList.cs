using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// The builds and zones the console lists: from ZooKeeper when the deployment has it (every zone's builds, whatever
/// cluster this frontend belongs to), otherwise from the one cluster's directory grains.
/// </summary>
public interface IBuildList
{
    /// <summary>What <see cref="BuildList.Arrange"/> keeps: running builds and the most recently finished.</summary>
    Task<IReadOnlyList<BuildInfo>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Zones known besides those of listed builds (zones with gateways registered).</summary>
    Task<IReadOnlyList<string>> ZonesAsync(CancellationToken cancellationToken);
}

/// <summary>Without ZooKeeper: the cluster's <see cref="IBuildDirectoryGrain"/> and <see cref="IZoneDirectoryGrain"/>.</summary>
internal sealed class ClusterBuildList(IGrainFactory grains) : IBuildList
{
    public Task<IReadOnlyList<BuildInfo>> ListAsync(CancellationToken cancellationToken) =>
        grains.GetGrain<IBuildDirectoryGrain>(0).ListAsync();

    public Task<IReadOnlyList<string>> ZonesAsync(CancellationToken cancellationToken) =>
        grains.GetGrain<IZoneDirectoryGrain>(0).ListAsync();
}
