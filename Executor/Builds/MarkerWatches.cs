namespace Zuul.LiveLog.Executor;

/// <summary>
/// The running builds whose <c>work/logs</c> is watched for the finish marker, through the <see cref="LogWatchRegistry"/>
/// (the same watch the build's log streams share, so a watched build costs one inotify instance however many follow it).
/// At most <c>capacity</c> at once; the others are found by the job root's periodic re-scan.
/// </summary>
internal sealed class MarkerWatches(LogWatchRegistry watches, int capacity, Action markerAppeared) : IDisposable
{
    private readonly Dictionary<string, LogWatchRegistry.Lease> _leases = new(StringComparer.Ordinal);

    /// <summary>Starts watching the running build <paramref name="job"/> unless it is watched already or there is no room.</summary>
    public void TryWatch(JobDirectory job)
    {
        if (_leases.ContainsKey(job.BuildId) || _leases.Count >= capacity || !Directory.Exists(job.LogDirectory))
        {
            return;
        }

        var lease = watches.Acquire(job);
        lease.MarkerAppeared += markerAppeared;
        _leases.Add(job.BuildId, lease);
        if (File.Exists(job.DoneMarker))
        {
            markerAppeared(); // written before the watch started
        }
    }

    /// <summary>Stops watching a build that finished or went away.</summary>
    public void Release(string buildId)
    {
        if (_leases.Remove(buildId, out var lease))
        {
            lease.MarkerAppeared -= markerAppeared;
            lease.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var id in _leases.Keys.ToList())
        {
            Release(id);
        }
    }
}
