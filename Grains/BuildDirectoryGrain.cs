namespace Orleans.Zuul.Grains;

/// <summary>
/// Running and recently finished builds, for the build list. Soft state: build grains re-announce
/// themselves on every change, and the authoritative record stays in each build grain.
/// </summary>
internal sealed class BuildDirectoryGrain : Grain, IBuildDirectoryGrain
{
    /// <summary>How many finished builds the list keeps.</summary>
    internal const int FinishedToKeep = 200;

    private readonly Dictionary<string, BuildInfo> _builds = new(StringComparer.Ordinal);

    public Task UpdateAsync(BuildInfo build)
    {
        ArgumentNullException.ThrowIfNull(build);
        _builds[build.Uuid] = build;
        if (build.State == BuildState.Finished)
        {
            TrimFinished();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<BuildInfo>> ListAsync() =>
        Task.FromResult<IReadOnlyList<BuildInfo>>(_builds.Values
            .OrderByDescending(b => b.State == BuildState.Running)
            .ThenByDescending(b => b.StartedAt)
            .ToList());

    private void TrimFinished()
    {
        var finished = _builds.Values.Where(b => b.State == BuildState.Finished).ToList();
        if (finished.Count <= FinishedToKeep)
        {
            return;
        }

        foreach (var old in finished.OrderBy(b => b.FinishedAt).Take(finished.Count - FinishedToKeep))
        {
            _builds.Remove(old.Uuid);
        }
    }
}
