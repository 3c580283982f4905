namespace Zuul.LiveLog.Grains;

/// <summary>
/// Running and recently finished builds of this cluster, for the build list without ZooKeeper. Soft state: build
/// grains re-announce themselves on every change, and the authoritative record stays in each build grain.
/// </summary>
internal sealed class BuildDirectoryGrain : Grain, IBuildDirectoryGrain
{
    private readonly Dictionary<string, BuildInfo> _builds = new(StringComparer.Ordinal);

    public Task UpdateAsync(BuildInfo build)
    {
        ArgumentNullException.ThrowIfNull(build);
        _builds[build.Uuid] = build;
        if (build.State == BuildState.Finished && _builds.Count > BuildList.FinishedShown)
        {
            // Keep what the list shows; older finished builds drop out.
            var kept = BuildList.Arrange(_builds.Values).Select(b => b.Uuid).ToHashSet(StringComparer.Ordinal);
            foreach (var uuid in _builds.Keys.Where(u => !kept.Contains(u)).ToList())
            {
                _builds.Remove(uuid);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<BuildInfo>> ListAsync() => Task.FromResult<IReadOnlyList<BuildInfo>>(BuildList.Arrange(_builds.Values));
}
