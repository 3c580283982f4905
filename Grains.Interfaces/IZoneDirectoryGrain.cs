namespace Zuul.LiveLog.Grains;

/// <summary>
/// The zones the cluster has seen (one activation, key 0): fed by build starts and gateway registrations,
/// so the console can list every zone with its gateways, executors and builds.
/// </summary>
[Alias("Orleans.Zuul.IZoneDirectoryGrain")]
public interface IZoneDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Records that <paramref name="zone"/> exists. Idempotent.</summary>
    [Alias("Add")]
    Task AddAsync(string zone);

    /// <summary>Known zones, sorted by name.</summary>
    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();
}
