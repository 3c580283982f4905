namespace Zuul.LiveLog.Grains;

/// <summary>What the build list shows, the same from the cluster's directory grain and from ZooKeeper.</summary>
public static class BuildList
{
    /// <summary>How many finished builds the list shows, besides every running or lost one.</summary>
    public const int FinishedShown = 200;

    /// <summary>
    /// Every running and lost build (lost ones may run again) and the <see cref="FinishedShown"/> most recently
    /// finished, running first, newest first.
    /// </summary>
    public static List<BuildInfo> Arrange(IEnumerable<BuildInfo> builds)
    {
        var all = builds.ToList();
        var finished = all.Where(b => b.State == BuildState.Finished)
            .OrderByDescending(b => b.FinishedAt).Take(FinishedShown);
        return all.Where(b => b.State is BuildState.Running or BuildState.Lost).Concat(finished)
            .OrderBy(b => Rank(b.State))
            .ThenByDescending(b => b.StartedAt)
            .ToList();
    }

    private static int Rank(BuildState state) => state switch
    {
        BuildState.Running => 0,
        BuildState.Lost => 1,
        _ => 2,
    };
}
