namespace Zuul.LiveLog.Grains;

/// <summary>What the build list shows, the same from the cluster's directory grain and from ZooKeeper.</summary>
public static class BuildList
{
    /// <summary>How many finished builds the list shows, besides every running one.</summary>
    public const int FinishedShown = 200;

    /// <summary>Every running build and the <see cref="FinishedShown"/> most recently finished, running first, newest first.</summary>
    public static List<BuildInfo> Arrange(IEnumerable<BuildInfo> builds)
    {
        var all = builds.ToList();
        var finished = all.Where(b => b.State == BuildState.Finished)
            .OrderByDescending(b => b.FinishedAt).Take(FinishedShown);
        return all.Where(b => b.State == BuildState.Running).Concat(finished)
            .OrderByDescending(b => b.State == BuildState.Running)
            .ThenByDescending(b => b.StartedAt)
            .ToList();
    }
}
