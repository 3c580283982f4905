namespace Zuul.LiveLog.Grains;

/// <summary>
/// Known zones. Soft state like <see cref="BuildDirectoryGrain"/>: gateways re-register every lease
/// renewal and build grains announce their zone on start, so a new activation fills up again.
/// </summary>
internal sealed class ZoneDirectoryGrain : Grain, IZoneDirectoryGrain
{
    /// <summary>A cap, so a misbehaving client cannot grow the list without bound.</summary>
    internal const int MaxZones = 1000;

    private readonly SortedSet<string> _zones = new(StringComparer.Ordinal);

    public Task AddAsync(string zone)
    {
        ArgumentException.ThrowIfNullOrEmpty(zone);
        if (_zones.Count < MaxZones)
        {
            _zones.Add(zone);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. _zones]);
}
